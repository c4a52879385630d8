using System.Diagnostics;
using System.Text.Json;
using VectorDb.Api.Tests.Support;
using VectorDb.Client;
using Xunit.Abstractions;

namespace VectorDb.Api.Tests.Server;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>
/// Qdrant's official JavaScript client (@qdrant/js-client-rest, pinned in tests/qdrant-js/package-lock.json) drives
/// the REST API of a real server on 127.0.0.1 through tests/qdrant-js/scenario.mjs: the 20k GloVe slice with integer
/// and UUID ids and payloads, the 200 queries, filtered search against brute force, a scroll over every point,
/// count, retrieve, delete, drop. The hits of every query over REST must be exactly those vectordb.v1 (gRPC) returns
/// for the same collection, so recall@10 is the same.
/// </summary>
public sealed class QdrantJsClientTests(ITestOutputHelper output)
{
    private const string Key = "js-key";

    [QdrantJsFact]
    public async Task QdrantJsClient_Scenario_MatchesVectorDbV1_OnTheGloveSlice()
    {
        await using var server = await InProcessServer.StartAsync(new Dictionary<string, string?> { ["VectorDb:ApiKey"] = Key }, rest: true);
        string rest = server.RestAddress!;
        var (exit, text) = await QdrantJs.RunAsync(rest, Key, GloveSlice.Folder, "load");
        output.WriteLine(text);
        Assert.True(exit == 0, text);
        string line = text.Split('\n').Single(l => l.StartsWith("RESULTS ", StringComparison.Ordinal));
        var restRows = JsonSerializer.Deserialize<int[][]>(line["RESULTS ".Length..])!;

        using var client = server.Client(Key);
        var queries = GloveSlice.Queries();
        var truth = GloveSlice.TrueNeighbours();
        Assert.Equal(queries.Count, restRows.Length);
        int restFound = 0, grpcFound = 0;
        for (int q = 0; q < queries.Count; q++)
        {
            var hits = await client.SearchAsync("glove_js", queries.Row(q).ToArray(), 10);
            int[] grpcRows = [.. hits.Select(h => RowOf(h.Id))];
            Assert.Equal(grpcRows, restRows[q]);
            var want = truth[q].Take(10).ToHashSet();
            restFound += restRows[q].Count(want.Contains);
            grpcFound += grpcRows.Count(want.Contains);
        }
        output.WriteLine($"recall@10: REST {restFound / (10.0 * queries.Count):F4}, vectordb.v1 {grpcFound / (10.0 * queries.Count):F4}");
        Assert.Equal(grpcFound, restFound);
        Assert.True(restFound >= 0.85 * 10 * queries.Count, $"recall@10 = {restFound / (10.0 * queries.Count):F4}");

        (exit, text) = await QdrantJs.RunAsync(rest, Key, GloveSlice.Folder, "check");
        output.WriteLine(text);
        Assert.True(exit == 0, text);
        Assert.Contains("all checks passed", text, StringComparison.Ordinal);
    }

    /// <summary>The scenario's ids: even rows are their own number, odd rows a UUID ending in the row in hex.</summary>
    private static int RowOf(PointId id) => id.PointIdOptionsCase == PointId.PointIdOptionsOneofCase.Num
        ? (int)id.Num
        : Convert.ToInt32(id.Uuid[24..], 16);
}

/// <summary>Runs only where node and the pinned client are (or can be) installed (`npm ci` in tests/qdrant-js, which
/// .ci/run does); the skip reason says how.</summary>
public sealed class QdrantJsFactAttribute : FactAttribute
{
    public QdrantJsFactAttribute()
    {
        if (!QdrantJs.Available.Value)
        {
            Skip = "node or @qdrant/js-client-rest unavailable: run `npm ci` in tests/qdrant-js (node ≥ 20).";
        }
    }
}

internal static class QdrantJs
{
    /// <summary>tests/qdrant-js in the source tree.</summary>
    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "qdrant-js");
                if (File.Exists(Path.Combine(candidate, "scenario.mjs")))
                {
                    return candidate;
                }
            }
            throw new DirectoryNotFoundException("tests/qdrant-js not found above the test folder.");
        }
    }

    private static bool Installed => Directory.Exists(Path.Combine(Folder, "node_modules", "@qdrant", "js-client-rest"));

    /// <summary>Probed once per run; runs `npm ci` when node and npm are there but the client is not installed.</summary>
    public static readonly Lazy<bool> Available = new(() => Installed || (ChildProcesses.RunTool("npm", Folder, "ci", "--no-audit", "--no-fund") == 0 && Installed));

    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder };
        start.ArgumentList.Add("scenario.mjs");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

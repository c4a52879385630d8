using System.Text.Json;
using VectorDb.Tests.Support;
using VectorDb.Client;
using Xunit.Abstractions;

namespace VectorDb.Server.Tests;

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

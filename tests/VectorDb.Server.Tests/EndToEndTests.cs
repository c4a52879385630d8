using System.Text.Json;
using VectorDb.Tests.Support;
using VectorDb.Client;

namespace VectorDb.Server.Tests;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>The real GloVe slice through a real server on 127.0.0.1, compared with the embedded library.</summary>
public sealed class EndToEndTests
{
    private const int Queries = 50;

    [Fact]
    public async Task GloveSlice_ImportedOverGrpc_SearchEqualsEmbeddedLibrary_IdsAndScores()
    {
        var data = GloveSlice.Base();
        var queries = GloveSlice.Queries(Queries);
        await using var server = await InProcessServer.StartAsync();
        using var client = server.Client();
        await client.CreateCollectionAsync("glove", (ulong)data.Dimension, Distance.Cosine);
        var batches = Enumerable.Range(0, data.Count)
            .Select(i => VectorDbClient.Point((ulong)i, data.Row(i)))
            .Chunk(1000)
            .Select(chunk => (IReadOnlyList<PointStruct>)chunk);
        var upload = await client.UpsertStreamAsync("glove", batches);
        Assert.Equal(UpdateStatus.Completed, upload.Status);
        Assert.Equal((ulong)data.Count, await client.CountAsync("glove"));

        using var embeddedDir = new TempDirectory();
        await using var embedded = await VectorDatabase.OpenAsync(embeddedDir.Path);
        var local = await embedded.CreateCollectionAsync("glove", new VectorDb.CollectionConfig(data.Dimension, Metric.Cosine));
        foreach (var chunk in Enumerable.Range(0, data.Count).Chunk(1000))
        {
            await local.UpsertAsync([.. chunk.Select(i => new PointInput((ulong)i, data.Row(i).ToArray()))]);
        }

        var truth = GloveSlice.TrueNeighbours(Queries);
        int found = 0;
        for (int q = 0; q < queries.Count; q++)
        {
            var remote = await client.SearchAsync("glove", queries.Row(q).ToArray(), 10);
            var expected = await local.SearchAsync(new VectorDb.SearchRequest(queries.Row(q).ToArray(), 10));
            Assert.Equal(expected.Select(h => (ulong)h.Id), remote.Select(h => h.Id.Num));
            Assert.Equal(expected.Select(h => h.Score), remote.Select(h => h.Score)); // same code, same bits
            found += remote.Count(h => truth[q].Take(10).Contains((int)h.Id.Num));
        }
        // 4-bit codes + auto re-rank on this GloVe slice: measured recall@10 = 1.000 (deterministic: seeded rotation,
        // fixed data; figures2 branch, 2026-12-05). The floor sits just below it, so losing a few true neighbours
        // (a codec, re-rank or transport regression) fails here.
        Assert.True(found >= 0.99 * 10 * Queries, $"recall@10 = {found / (10.0 * Queries):F3}");

        var batch = await client.SearchBatchAsync("glove", Enumerable.Range(0, 5).Select(q => VectorDbClient.SearchRequest("", queries.Row(q).ToArray(), 5)));
        for (int q = 0; q < 5; q++)
        {
            var single = await client.SearchAsync("glove", queries.Row(q).ToArray(), 5);
            Assert.Equal(single.Select(h => h.Id.Num), batch[q].Select(h => h.Id.Num));
        }
    }

    [Fact]
    public async Task Cli_CreateImportCountSearchInfoDrop_FollowsTheContract()
    {
        await using var server = await InProcessServer.StartAsync();
        using var output = new TempDirectory();
        string json = Path.Combine(output.Path, "results.json");
        string[] at = ["--server", server.Address];

        var create = await ChildProcesses.RunCliAsync([.. at, "create", "g", "--dim", "100", "--metric", "cosine", "--bits", "4"]);
        Assert.True(create.ExitCode == 0, create.Stderr);
        var import = await ChildProcesses.RunCliAsync([.. at, "import", "g", GloveSlice.BasePath]);
        Assert.True(import.ExitCode == 0, import.Stderr);
        Assert.Contains("import base.fvecs [", import.Stderr, StringComparison.Ordinal); // the progress bar
        var count = await ChildProcesses.RunCliAsync([.. at, "count", "g"]);
        Assert.Equal(0, count.ExitCode);
        Assert.Equal("20000", count.Stdout.Trim().Split('\n')[^1]);

        // Search results against the slice's ground truth (exact top-100 per query in float64; an independent oracle,
        // not this server), over all 200 queries, for the default and for options that must change the answer.
        var truth = GloveSlice.TrueNeighbours();
        async Task<double> CliRecallAsync(params string[] options)
        {
            var search = await ChildProcesses.RunCliAsync([.. at, "search", "g", "--queries", GloveSlice.QueryPath, "--k", "10", "--json", json, .. options]);
            Assert.True(search.ExitCode == 0, search.Stderr);
            using var document = JsonDocument.Parse(File.ReadAllBytes(json));
            var results = document.RootElement.GetProperty("results");
            Assert.Equal(truth.Length, results.GetArrayLength());
            int found = 0;
            for (int q = 0; q < truth.Length; q++)
            {
                var ids = results[q].EnumerateArray().Select(e => (int)e.GetUInt64()).ToList();
                Assert.Equal(10, ids.Count);
                found += ids.Count(truth[q].Take(10).Contains);
            }
            return found / (10.0 * truth.Length);
        }
        // Measured on this slice (deterministic: seeded rotation, fixed data; 2026-12-05): default (auto re-rank) 1.000,
        // --exact 1.000, --rerank none 0.898. The floors sit just below; --rerank none must also stay below 0.95, which
        // fails if the option never reached the server (re-ranked answers are 1.000 here).
        double byDefault = await CliRecallAsync();
        Assert.True(byDefault >= 0.99, $"recall@10 {byDefault:F4} by default");
        double exact = await CliRecallAsync("--exact");
        Assert.True(exact >= 0.999, $"recall@10 {exact:F4} with --exact");
        double codesOnly = await CliRecallAsync("--rerank", "none");
        Assert.True(codesOnly is >= 0.85 and < 0.95, $"recall@10 {codesOnly:F4} with --rerank none");

        var info = await ChildProcesses.RunCliAsync([.. at, "info", "g"]);
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("\"pointsCount\": \"20000\"", info.Stdout, StringComparison.Ordinal);

        var again = await ChildProcesses.RunCliAsync([.. at, "create", "g", "--dim", "100", "--metric", "cosine"]);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("AlreadyExists", again.Stderr, StringComparison.Ordinal);
        var usage = await ChildProcesses.RunCliAsync([.. at, "create", "h", "--dim", "100", "--metric", "hamming"]);
        Assert.Equal(2, usage.ExitCode);

        var drop = await ChildProcesses.RunCliAsync([.. at, "drop", "g"]);
        Assert.Equal(0, drop.ExitCode);
        var gone = await ChildProcesses.RunCliAsync([.. at, "count", "g"]);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("NotFound", gone.Stderr, StringComparison.Ordinal);

        var unreachable = await ChildProcesses.RunCliAsync(["--server", $"http://127.0.0.1:{InProcessServer.FreePort()}", "count", "g"]);
        Assert.Equal(3, unreachable.ExitCode);
    }

    [Fact]
    public async Task Cli_ImportCsvAndJsonl_WithPayloads()
    {
        await using var server = await InProcessServer.StartAsync();
        using var files = new TempDirectory();
        string csv = Path.Combine(files.Path, "v.csv");
        File.WriteAllLines(csv, ["a,b,c", "1,0,0", "0,1,0", "0,0,1"]);
        string jsonl = Path.Combine(files.Path, "v.jsonl");
        File.WriteAllLines(jsonl, [
            """{"id": 10, "vector": [1, 0, 0], "payload": {"color": "red", "n": 1}}""",
            """{"id": 11, "vector": [0, 1, 0], "payload": {"color": "blue", "n": 2}}""",
            """{"id": "5F0E6B8C-8C7D-4B9E-9C1A-2B3C4D5E6F70", "vector": [0.5, 0.5, 0], "payload": {"color": "green"}}""",
        ]);
        string[] at = ["--server", server.Address];
        Assert.Equal(0, (await ChildProcesses.RunCliAsync([.. at, "create", "c", "--dim", "3", "--metric", "l2"])).ExitCode);
        Assert.Equal(0, (await ChildProcesses.RunCliAsync([.. at, "import", "c", csv])).ExitCode);
        Assert.Equal(0, (await ChildProcesses.RunCliAsync([.. at, "import", "c", jsonl])).ExitCode);
        using var client = server.Client();
        Assert.Equal(6UL, await client.CountAsync("c"));
        var uuidPoint = await client.GetAsync("c", [VectorDbClient.Id(new Guid("5f0e6b8c-8c7d-4b9e-9c1a-2b3c4d5e6f70"))], withPayload: true);
        Assert.Equal("5f0e6b8c-8c7d-4b9e-9c1a-2b3c4d5e6f70", uuidPoint[0].Id.Uuid); // canonical lowercase, over gRPC
        Assert.Equal("green", uuidPoint[0].Payload["color"].StringValue);
        var nearest = await client.SearchAsync("c", new float[] { 0.5f, 0.5f, 0 }, 1);
        Assert.Equal("5f0e6b8c-8c7d-4b9e-9c1a-2b3c4d5e6f70", nearest[0].Id.Uuid);
        var red = await client.CountAsync("c", new Filter { Must = { new Condition { Field = new FieldCondition { Key = "color", Match = new Match { Keyword = "red" } } } } });
        Assert.Equal(1UL, red);
        var points = await client.GetAsync("c", [2UL, 11UL], withPayload: true, withVectors: true);
        Assert.Equal([0f, 0f, 1f], points[0].Vector.Data);
        Assert.Equal("blue", points[1].Payload["color"].StringValue);
        Assert.Equal(2, points[1].Payload["n"].IntegerValue);

        File.WriteAllLines(jsonl, ["""{"id": "not-a-uuid", "vector": [1, 0, 0]}"""]);
        var badId = await ChildProcesses.RunCliAsync([.. at, "import", "c", jsonl]);
        Assert.Equal(4, badId.ExitCode);
        Assert.Contains("unsigned integer or a UUID string", badId.Stderr, StringComparison.Ordinal);

        File.WriteAllLines(csv, ["1,0,0", "0,x,0"]);
        var bad = await ChildProcesses.RunCliAsync([.. at, "import", "c", csv]);
        Assert.Equal(4, bad.ExitCode);
        Assert.Contains("line 2, column 2", bad.Stderr, StringComparison.Ordinal);
        var wrongDim = await ChildProcesses.RunCliAsync([.. at, "import", "c", GloveSlice.QueryPath]);
        Assert.Equal(1, wrongDim.ExitCode);
        Assert.Contains("InvalidArgument", wrongDim.Stderr, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using VectorDb.Api.V1;
using VectorDb.Tests.Support;

namespace VectorDb.Server.Tests;

/// <summary>Issue 15 point 5: the CLI commands users expect (get, delete by ids and filter, search printing scores and
/// payloads with a filter), per-command --help, metric names in any case, and import into a non-empty collection.</summary>
public sealed class CliCommandTests
{
    private const string RedFilter = """{"must": [{"field": {"key": "color", "match": {"keyword": "red"}}}]}""";

    private static readonly (ulong Id, float[] Vector, string Color)[] s_points =
    [
        (1, [1f, 0f, 0f], "red"), (2, [0.9f, 0.3f, 0f], "blue"), (3, [0.7f, 0.7f, 0f], "red"),
        (4, [0f, 1f, 0f], "red"), (5, [0f, 0f, 1f], "blue"),
    ];

    private static async Task<string[]> ImportAsync(InProcessServer server, TempDirectory files, string metric)
    {
        string[] at = ["--server", server.Address];
        Assert.Equal(0, (await ChildProcesses.RunCliAsync([.. at, "create", "c", "--dim", "3", "--metric", metric])).ExitCode);
        string jsonl = Path.Combine(files.Path, "p.jsonl");
        File.WriteAllLines(jsonl, s_points.Select(p => new JsonObject
        {
            ["id"] = p.Id,
            ["vector"] = new JsonArray([.. p.Vector.Select(v => (JsonNode?)v)]),
            ["payload"] = JsonNode.Parse($"{{\"color\": \"{p.Color}\", \"height\": 185.0, \"n\": {p.Id}}}"),
        }.ToJsonString()));
        var import = await ChildProcesses.RunCliAsync([.. at, "import", "c", jsonl, "--quiet"]);
        Assert.True(import.ExitCode == 0, import.Stderr);
        return at;
    }

    private static JsonElement[] JsonLines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];

    [Fact]
    public async Task SearchVector_WithFilter_PrintsScoresAndPayloads_InTheExactOrder()
    {
        await using var server = await InProcessServer.StartAsync();
        using var files = new TempDirectory();
        string[] at = await ImportAsync(server, files, "Cosine");
        float[] query = [1f, 0.2f, 0f];
        var run = await ChildProcesses.RunCliAsync([.. at, "search", "c", "--vector", "1,0.2,0", "--k", "10", "--filter", RedFilter,
            "--with-payload", "--exact"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var hits = JsonLines(run.Stdout);

        // Oracle: cosine over the red points, computed here.
        static double Cosine(float[] a, float[] b) =>
            a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));
        var expected = s_points.Where(p => p.Color == "red").OrderByDescending(p => Cosine(query, p.Vector)).ToArray();
        Assert.Equal(expected.Select(p => p.Id), hits.Select(h => h.GetProperty("id").GetUInt64()));
        for (int i = 0; i < hits.Length; i++)
        {
            Assert.Equal(Cosine(query, expected[i].Vector), hits[i].GetProperty("score").GetDouble(), 4);
            var payload = hits[i].GetProperty("payload");
            Assert.Equal("red", payload.GetProperty("color").GetString());
            Assert.Equal("185.0", payload.GetProperty("height").GetRawText());
            Assert.Equal((long)expected[i].Id, payload.GetProperty("n").GetInt64());
        }
    }

    [Fact]
    public async Task Get_PrintsThePoints_DeleteByIdsAndByFilter()
    {
        await using var server = await InProcessServer.StartAsync();
        using var files = new TempDirectory();
        string[] at = await ImportAsync(server, files, "L2");
        var get = await ChildProcesses.RunCliAsync([.. at, "get", "c", "5", "2", "--with-vector"]);
        Assert.True(get.ExitCode == 0, get.Stderr);
        var points = JsonLines(get.Stdout).OrderBy(p => p.GetProperty("id").GetUInt64()).ToArray();
        Assert.Equal([2UL, 5UL], points.Select(p => p.GetProperty("id").GetUInt64()));
        Assert.Equal("blue", points[0].GetProperty("payload").GetProperty("color").GetString());
        Assert.Equal([0f, 0f, 1f], points[1].GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()));
        var missing = await ChildProcesses.RunCliAsync([.. at, "get", "c", "2", "99"]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no point with id 99", missing.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await ChildProcesses.RunCliAsync([.. at, "delete", "c", "2"])).ExitCode);
        using var client = server.Client();
        Assert.Equal(4UL, await client.CountAsync("c"));
        Assert.Equal(0, (await ChildProcesses.RunCliAsync([.. at, "delete", "c", "--filter", RedFilter])).ExitCode);
        Assert.Equal(1UL, await client.CountAsync("c")); // 1, 3 and 4 were red; 2 deleted by id; 5 stays
        Assert.Equal("blue", (await client.RetrieveAsync("c", [5UL])).Single().Payload!["color"]!.GetValue<string>());

        var neither = await ChildProcesses.RunCliAsync([.. at, "delete", "c"]);
        Assert.Equal(2, neither.ExitCode);
        var badFilter = await ChildProcesses.RunCliAsync([.. at, "delete", "c", "--filter", "{\"must\": 3}"]);
        Assert.Equal(2, badFilter.ExitCode);
        Assert.Contains("--filter is not a filter", badFilter.Stderr, StringComparison.Ordinal);
        Assert.Equal(1UL, await client.CountAsync("c"));
    }

    [Theory]
    [InlineData("search", "--vector", "salvage <name>")]
    [InlineData("import", "--id-offset", "search <name>")]
    [InlineData("delete", "--filter <json>", "import <name>")]
    public async Task CommandHelp_PrintsThatCommandOnly(string command, string mentions, string notMentioned)
    {
        var help = await ChildProcesses.RunCliAsync(command, "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains(mentions, help.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(notMentioned, help.Stdout, StringComparison.Ordinal);
        Assert.Contains("exit codes:", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportIntoANonEmptyCollection_WarnsWithoutOffset_AppendsWithIt()
    {
        await using var server = await InProcessServer.StartAsync();
        using var files = new TempDirectory();
        string csv = Path.Combine(files.Path, "v.csv");
        File.WriteAllLines(csv, ["1,0,0", "0,1,0", "0,0,1"]);
        string[] at = ["--server", server.Address];
        Assert.Equal(0, (await ChildProcesses.RunCliAsync([.. at, "create", "c", "--dim", "3", "--metric", "IP"])).ExitCode);
        var first = await ChildProcesses.RunCliAsync([.. at, "import", "c", csv, "--quiet"]);
        Assert.Equal(0, first.ExitCode);
        Assert.DoesNotContain("warning", first.Stderr, StringComparison.Ordinal);

        var again = await ChildProcesses.RunCliAsync([.. at, "import", "c", csv, "--quiet"]);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("warning: c already holds 3 points; rows get ids 0..2 and replace", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("--id-offset 3", again.Stderr, StringComparison.Ordinal);
        using var client = server.Client();
        Assert.Equal(3UL, await client.CountAsync("c"));

        Assert.Equal(0, (await ChildProcesses.RunCliAsync([.. at, "import", "c", csv, "--id-offset=3", "--quiet"])).ExitCode);
        Assert.Equal(6UL, await client.CountAsync("c"));
        var moved = await client.RetrieveAsync("c", [5UL], withVectors: true);
        Assert.Equal([0f, 0f, 1f], moved.Single().Vector!);
    }

    [Fact]
    public async Task MetricNames_AnyCase_UnknownRefused()
    {
        await using var server = await InProcessServer.StartAsync();
        string[] at = ["--server", server.Address];
        Assert.Equal(0, (await ChildProcesses.RunCliAsync([.. at, "create", "a", "--dim", "2", "--metric", "L2", "--scheme", "EDEN-Biased"])).ExitCode);
        Assert.Equal(0, (await ChildProcesses.RunCliAsync([.. at, "create", "b", "--dim", "2", "--metric", "Cosine", "--index", "FLAT"])).ExitCode);
        var bad = await ChildProcesses.RunCliAsync([.. at, "create", "d", "--dim", "2", "--metric", "hamming"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--metric must be ip, cosine or l2", bad.Stderr, StringComparison.Ordinal);
    }

    /// <summary>create's and search's named options (--scheme, --originals, --index, --rerank) in any case reach the
    /// server as the values they name (read back through the client); an unknown name is refused with exit code 2 and
    /// the list of accepted names.</summary>
    [Fact]
    public async Task NamedOptions_AnyCase_ReachTheServer_UnknownRefusedWithTheChoices()
    {
        await using var server = await InProcessServer.StartAsync();
        using var client = server.Client();
        string[] at = ["--server", server.Address];
        var created = await ChildProcesses.RunCliAsync([.. at, "create", "a", "--dim", "4", "--metric", "DOT", "--bits", "2",
            "--scheme", "TQ-Prod", "--originals", "F16", "--index", "IVF"]);
        Assert.True(created.ExitCode == 0, created.Stderr);
        var config = (await client.GetCollectionAsync("a")).Config;
        Assert.Equal(Distance.Dot, config.Vectors.Distance);
        Assert.Equal(QuantizationScheme.TqProd, config.Quantization.Scheme);
        Assert.Equal(OriginalsStorage.OriginalsFloat16, config.Originals);
        Assert.Equal(IndexType.IndexIvf, config.Index.Type);

        (string Option, string Expected)[] refusals =
        [
            ("--scheme", "--scheme must be eden-unbiased, eden-biased, tq-mse or tq-prod, got 'x'."),
            ("--originals", "--originals must be f32, f16 or none, got 'x'."),
            ("--index", "--index must be flat or ivf, got 'x'."),
        ];
        foreach (var (option, expected) in refusals)
        {
            var bad = await ChildProcesses.RunCliAsync([.. at, "create", "b", "--dim", "4", "--metric", "l2", option, "X"]);
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains(expected, bad.Stderr, StringComparison.Ordinal);
        }
        var badRerank = await ChildProcesses.RunCliAsync([.. at, "search", "a", "--k", "1", "--vector", "1,0,0,0", "--rerank", "Sometimes"]);
        Assert.Equal(2, badRerank.ExitCode);
        Assert.Contains("--rerank must be none, fixed or auto, got 'sometimes'.", badRerank.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("b", await client.ListCollectionsAsync());
    }

    /// <summary>export pages through the Scroll RPC (a page size of 2 over 5 points: three pages) and writes JSON lines
    /// that import reads back: a new collection then holds the same ids, payloads (numbers keep their kind) and
    /// vectors as the source; --filter exports only the matching points.</summary>
    [Fact]
    public async Task Export_ThenImport_RoundTripsIdsPayloadsAndVectors()
    {
        await using var server = await InProcessServer.StartAsync();
        using var files = new TempDirectory();
        string[] at = await ImportAsync(server, files, "l2");
        string exported = Path.Combine(files.Path, "export.jsonl");
        var export = await ChildProcesses.RunCliAsync([.. at, "export", "c", "--with-vectors", "--page", "2", "--out", exported]);
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.Equal(0, (await ChildProcesses.RunCliAsync([.. at, "create", "copy", "--dim", "3", "--metric", "l2"])).ExitCode);
        var import = await ChildProcesses.RunCliAsync([.. at, "import", "copy", exported, "--quiet"]);
        Assert.True(import.ExitCode == 0, import.Stderr);

        var copy = await ChildProcesses.RunCliAsync([.. at, "export", "copy", "--with-vectors"]);
        Assert.True(copy.ExitCode == 0, copy.Stderr);
        var points = JsonLines(copy.Stdout);
        Assert.Equal(s_points.Select(p => p.Id), points.Select(p => p.GetProperty("id").GetUInt64()));
        for (int i = 0; i < points.Length; i++)
        {
            Assert.Equal(s_points[i].Vector, points[i].GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()));
            var payload = points[i].GetProperty("payload");
            Assert.Equal(s_points[i].Color, payload.GetProperty("color").GetString());
            Assert.Equal("185.0", payload.GetProperty("height").GetRawText());
            Assert.Equal(s_points[i].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), payload.GetProperty("n").GetRawText());
        }

        var red = await ChildProcesses.RunCliAsync([.. at, "export", "c", "--filter", RedFilter]);
        Assert.True(red.ExitCode == 0, red.Stderr);
        var redPoints = JsonLines(red.Stdout);
        Assert.Equal(s_points.Where(p => p.Color == "red").Select(p => p.Id), redPoints.Select(p => p.GetProperty("id").GetUInt64()));
        Assert.All(redPoints, p => Assert.False(p.TryGetProperty("vector", out _)));
        var help = await ChildProcesses.RunCliAsync(["export", "--help"]);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("export <name>", help.Stdout, StringComparison.Ordinal);
    }
}

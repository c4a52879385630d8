using System.Diagnostics;
using Grpc.Core;
using Grpc.Reflection.V1Alpha;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;
using VectorDb.Client;

namespace VectorDb.Server.Tests;

/// <summary>What operators rely on: Prometheus metrics, server reflection, graceful shutdown on SIGTERM. Run alone
/// (<see cref="ProcessMetricsCollection"/>): the metrics counts would include other in-process servers' requests.</summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class OperationsTests
{
    [Fact]
    public async Task Metrics_ExposeRequestCountsLatencyAndPointsPerCollection()
    {
        await using var server = await InProcessServer.StartAsync(rest: true);
        using var client = server.Client();
        await client.CreateCollectionAsync("m", 3, Distance.Dot);
        await client.UpsertAsync("m", [VectorDbClient.Point(1, [1f, 2f, 3f]), VectorDbClient.Point(2, [3f, 2f, 1f])]);
        await client.SearchAsync("m", new float[] { 1, 1, 1 }, 1);
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.SearchAsync("m", new float[] { 1 }, 1));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);

        using var http = new HttpClient();
        string text = "";
        // The OpenTelemetry reader exports on scrape, and a scrape may be served from the exporter's cache of the
        // previous one: scrape until the lines checked below are there. The 2-minute bound only guards against a
        // hang (a fixed 5 s of retries failed a CI run at load ~300 on 2 cores).
        var hangGuard = Stopwatch.StartNew();
        while (hangGuard.Elapsed < TimeSpan.FromMinutes(2)
               && !(text.Contains("vectordb_points{", StringComparison.Ordinal) && text.Contains("status=\"InvalidArgument\"", StringComparison.Ordinal)))
        {
            text = await http.GetStringAsync($"{server.RestAddress}/metrics");
            await Task.Delay(100);
        }
        Assert.Contains("vectordb_rpc_requests_total{", text, StringComparison.Ordinal);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(text,
                "vectordb_rpc_requests_total\\{[^}]*method=\"/vectordb.v1.Points/Search\"[^}]*status=\"InvalidArgument\"[^}]*\\} 1"),
            "no count of 1 refused search; request counts scraped:\n" +
            string.Join('\n', text.Split('\n').Where(line => line.StartsWith("vectordb_rpc_requests_total", StringComparison.Ordinal))));
        Assert.Contains("vectordb_rpc_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Matches("vectordb_points\\{[^}]*collection=\"m\"[^}]*\\} 2", text);
        Assert.Contains("vectordb_disk_bytes{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CountRestAndQdrantGrpcRequests_ByRouteAndMethod()
    {
        await using var server = await InProcessServer.StartAsync(rest: true);
        using var http = new HttpClient { BaseAddress = new Uri(server.RestAddress!) };
        using (var create = new StringContent("""{"vectors": {"size": 2, "distance": "Dot"}}""", System.Text.Encoding.UTF8, "application/json"))
            Assert.True((await http.PutAsync("/collections/m", create)).IsSuccessStatusCode);
        for (int i = 0; i < 2; i++)
        {
            using var count = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            Assert.True((await http.PostAsync("/collections/m/points/count", count)).IsSuccessStatusCode);
        }
        using (var unknown = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.PostAsync("/collections/nope/points/count", unknown)).StatusCode);
        using (var unmatched = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.PostAsync("/no/such/route", unmatched)).StatusCode);
        using var qdrant = new Qdrant.Client.QdrantClient(new Uri(server.Address));
        Assert.Equal(0ul, await qdrant.CountAsync("m"));
        var missing = await Assert.ThrowsAsync<RpcException>(() => qdrant.CountAsync("nope"));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        // A request is counted once its response is done on the server, which can be after the client has it: read
        // the metrics until the last request's series is there (a hang guard of 5 s, not a timing assertion).
        string text = "";
        for (int attempt = 0; attempt < 50 && !HasSeries(text, "vectordb_rpc_requests_total", ("status", "NotFound")); attempt++)
        {
            text = await http.GetStringAsync("/metrics");
            await Task.Delay(100);
        }
        AssertSeries(text, "vectordb_rest_requests_total", 2, ("route", "POST /collections/{collection_name}/points/count"), ("status", "200"));
        AssertSeries(text, "vectordb_rest_requests_total", 1, ("route", "POST /collections/{collection_name}/points/count"), ("status", "404"));
        AssertSeries(text, "vectordb_rest_requests_total", 1, ("route", "PUT /collections/{collection_name}"), ("status", "200"));
        AssertSeries(text, "vectordb_rest_requests_total", 1, ("route", "unmatched"), ("status", "404"));
        AssertSeries(text, "vectordb_rpc_requests_total", 1, ("method", "/qdrant.Points/Count"), ("status", "OK"));
        AssertSeries(text, "vectordb_rpc_requests_total", 1, ("method", "/qdrant.Points/Count"), ("status", "NotFound"));
        Assert.Contains("vectordb_rest_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/collections/nope", text, StringComparison.Ordinal); // labels are routes, never raw paths
    }

    /// <summary>Asserts one Prometheus series line with the given labels (in any order, among others) and value.</summary>
    private static void AssertSeries(string text, string metric, long value, params (string Name, string Value)[] labels)
    {
        var lines = SeriesLines(text, metric, labels);
        Assert.True(lines.Count == 1, $"{metric} with {string.Join(", ", labels)}: {lines.Count} lines\n{string.Join("\n", text.Split('\n').Where(l => l.StartsWith(metric, StringComparison.Ordinal)))}");
        string sample = lines[0][(lines[0].LastIndexOf('}') + 1)..].Trim().Split(' ')[0]; // value, then an optional timestamp
        Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), sample);
    }

    private static bool HasSeries(string text, string metric, params (string Name, string Value)[] labels) =>
        SeriesLines(text, metric, labels).Count > 0;

    private static List<string> SeriesLines(string text, string metric, (string Name, string Value)[] labels) =>
        text.Split('\n').Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal)
            && labels.All(l => line.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal))).ToList();

    [Fact]
    public async Task Reflection_ListsTheVectorDbServices_WithAKey()
    {
        await using var server = await InProcessServer.StartAsync(new Dictionary<string, string?> { ["VectorDb:ApiKey"] = "k" });
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Address);
        var reflection = new ServerReflection.ServerReflectionClient(channel);

        using var call = reflection.ServerReflectionInfo(new Metadata { { "api-key", "k" } });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("vectordb.v1.Collections", services);
        Assert.Contains("vectordb.v1.Points", services);
        Assert.Contains("grpc.health.v1.Health", services);

        using var anonymous = reflection.ServerReflectionInfo();
        try
        {
            await anonymous.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        }
        catch (RpcException)
        {
            // The refusal can end the call before the write goes out; the write then fails with a status of its own
            // (Cancelled under load). The call's status is read from the response stream below either way.
        }
        var e = await Assert.ThrowsAsync<RpcException>(async () => await anonymous.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
    }

    [Fact]
    public async Task Sigterm_ShutsDownGracefully_WithAFinalCheckpoint()
    {
        using var data = new TempDirectory("vectordb-sigterm");
        using var server = await ServerChild.StartAsync(data.Path);
        using (var client = new VectorDbClient(server.Address))
        {
            await client.CreateCollectionAsync("t", 2, Distance.Euclid);
            // wait = false: acknowledged in memory only; the final checkpoint must make them durable.
            await client.UpsertAsync("t", Enumerable.Range(0, 100).Select(i => VectorDbClient.Point((ulong)i, [i, -i])), wait: false);
        }
        await server.StopAsync(); // SIGTERM
        Assert.True(server.Process.ExitCode == 0, $"exit code {server.Process.ExitCode}: {server.Output}");
        Assert.Contains("Final checkpoint done", server.Output, StringComparison.Ordinal);

        await using var reopened = await InProcessServer.StartAsync(dataDirectory: data.Path);
        using var verify = reopened.Client();
        Assert.Equal(100UL, await verify.CountAsync("t"));
    }
}

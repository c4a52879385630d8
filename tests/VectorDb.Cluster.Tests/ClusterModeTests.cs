using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Qdrant.Client;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;
using VectorDb.Client;
using VectorDb.Cluster.Tests.Support;

namespace VectorDb.Cluster.Tests;

/// <summary>
/// The server in cluster mode (<c>--cluster</c>, docs/cluster.md) keeps the single-node server's plumbing: API keys and
/// their permissions, message limits, health, reflection, metrics, for vectordb.v1 and Qdrant's APIs alike (all three
/// routed through the cluster). A server without <c>--cluster</c> maps no Orleans assembly into its
/// process (read from /proc, with the cluster node as the control that the check sees Orleans when it is there).
/// </summary>
public sealed class ClusterModeTests
{
    private const string ReadWriteKey = "rw-key-for-the-cluster-test";
    private const string ReadOnlyKey = "ro-key-for-the-cluster-test";

    [Fact]
    public async Task A_cluster_node_keeps_the_servers_keys_limits_health_reflection_and_metrics()
    {
        var environment = new Dictionary<string, string> { ["VectorDb__ApiKey"] = ReadWriteKey, ["VectorDb__ReadOnlyApiKey"] = ReadOnlyKey };
        await using var cluster = await LocalCluster.StartAsync(1, TimeSpan.FromSeconds(30),
            ["--shards", "2", "--replicas", "1", "--VectorDb:MaxMessageBytes=200000"], environment);
        var silo = cluster.Silos[0];
        using var anonymous = new VectorDbClient(silo.GrpcAddress);
        using var readOnly = new VectorDbClient(silo.GrpcAddress, ReadOnlyKey);
        using var readWrite = new VectorDbClient(silo.GrpcAddress, ReadWriteKey);

        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => anonymous.ListCollectionsAsync())).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied,
            (await Assert.ThrowsAsync<RpcException>(() => readOnly.CreateCollectionAsync("docs", 4, Distance.Cosine))).StatusCode);
        Assert.Empty(await readOnly.ListCollectionsAsync()); // the refused create changed nothing

        await readWrite.CreateCollectionAsync("docs", 4, Distance.Cosine);
        await readWrite.UpsertAsync("docs", Enumerable.Range(0, 40).Select(i => VectorDbClient.Point((ulong)i, [1, i, 0, 0.5f])));
        Assert.Equal(40UL, await readOnly.CountAsync("docs"));
        var info = await readOnly.GetCollectionAsync("docs");
        Assert.Equal(40UL, info.PointsCount);
        Assert.Equal(StatusCode.PermissionDenied,
            (await Assert.ThrowsAsync<RpcException>(() => readOnly.DeleteAsync("docs", [1UL]))).StatusCode);
        Assert.Equal(40UL, await readOnly.CountAsync("docs"));

        // The server's message limit (200,000 bytes here) applies to the cluster's API: a larger upsert (about 300,000
        // bytes of valid points) is refused whole.
        var large = Enumerable.Range(100, 300).Select(i => VectorDbClient.Point((ulong)i, [.. Enumerable.Repeat(0.5f, 4)],
            new JsonObject { ["text"] = new string('x', 1_000) }));
        // gRPC answers ResourceExhausted from the length prefix; when Kestrel's body limit (which follows the same
        // setting) ends the upload first, the framing error is InvalidArgument, as on a single node.
        var tooLarge = await Assert.ThrowsAsync<RpcException>(() => readWrite.UpsertAsync("docs", large));
        Assert.Contains(tooLarge.StatusCode, (StatusCode[])[StatusCode.ResourceExhausted, StatusCode.InvalidArgument]);
        Assert.Equal(40UL, await readOnly.CountAsync("docs"));

        using var channel = GrpcChannel.ForAddress(silo.GrpcAddress);
        var keyed = new Metadata { { "api-key", ReadOnlyKey } };
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), keyed);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Contains("vectordb.v1.Points", await ReflectedServicesAsync(channel, keyed));

        // Qdrant's gRPC API goes through the cluster, with the same key rules: the read-only key reads, cannot create.
        using var qdrant = new QdrantClient(new Uri(silo.GrpcAddress), ReadOnlyKey);
        Assert.Equal(["docs"], await qdrant.ListCollectionsAsync());
        Assert.Equal(40UL, await qdrant.CountAsync("docs"));
        var refused = await Assert.ThrowsAsync<RpcException>(() => qdrant.CreateCollectionAsync("qdrant_grpc",
            new Qdrant.Client.Grpc.VectorParams { Size = 4, Distance = Qdrant.Client.Grpc.Distance.Cosine }));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);

        // REST: the probes answer without a key; Qdrant's REST API through the cluster needs one (401 without, 403 for
        // the read-only key's write, which changes nothing), and reads the clustered collection.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.RestPort}") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/collections", UriKind.Relative))).StatusCode);
        using (var put = new HttpRequestMessage(HttpMethod.Put, new Uri("/collections/rest", UriKind.Relative)))
        {
            put.Headers.Add("api-key", ReadOnlyKey);
            put.Content = new StringContent("""{"vectors": {"size": 4, "distance": "Cosine"}}""", System.Text.Encoding.UTF8, "application/json");
            using var answer = await http.SendAsync(put);
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        }
        using (var count = new HttpRequestMessage(HttpMethod.Post, new Uri("/collections/docs/points/count", UriKind.Relative)))
        {
            count.Headers.Add("api-key", ReadOnlyKey);
            using var answer = await http.SendAsync(count);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(40, JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["result"]!["count"]!.GetValue<long>());
        }
        // Qdrant's read consistency and write ordering are read (bad values refused, nothing written); a REST create
        // lays the collection out (R above the one live node refused).
        Assert.Equal(HttpStatusCode.OK, (await RestAsync(http, HttpMethod.Post, "/collections/docs/points/count?consistency=majority", "{}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await RestAsync(http, HttpMethod.Post, "/collections/docs/points/count?consistency=most", "{}")).Status);
        const string Point = """{"points": [{"id": 900, "vector": [1, 0, 0, 0]}]}""";
        Assert.Equal(HttpStatusCode.BadRequest, (await RestAsync(http, HttpMethod.Put, "/collections/docs/points?ordering=total", Point)).Status);
        Assert.Equal(40UL, await readOnly.CountAsync("docs"));
        Assert.Equal(HttpStatusCode.OK, (await RestAsync(http, HttpMethod.Put, "/collections/docs/points?ordering=strong&wait=true", Point)).Status);
        Assert.Equal(41UL, await readOnly.CountAsync("docs"));
        var zeroFactor = await Assert.ThrowsAsync<RpcException>(() => qdrant.CountAsync("docs",
            readConsistency: new Qdrant.Client.Grpc.ReadConsistency { Factor = 0 }));
        Assert.Equal(StatusCode.InvalidArgument, zeroFactor.StatusCode);
        var (status, body) = await RestAsync(http, HttpMethod.Put, "/collections/rest",
            """{"vectors": {"size": 4, "distance": "Cosine"}, "shard_number": 3, "replication_factor": 2}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("replicas", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await RestAsync(http, HttpMethod.Put, "/collections/rest",
            """{"vectors": {"size": 4, "distance": "Cosine"}, "shard_number": 3, "write_consistency_factor": 1}""")).Status);
        var created = JsonNode.Parse((await RestAsync(http, HttpMethod.Get, "/collections/rest", null)).Body)!["result"]!["config"]!["params"]!;
        Assert.Equal((3, 1, 1), (created["shard_number"]!.GetValue<int>(), created["replication_factor"]!.GetValue<int>(),
            created["write_consistency_factor"]!.GetValue<int>()));
        Assert.Equal(["docs", "rest"], await readOnly.ListCollectionsAsync());
        using var metricsRequest = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        metricsRequest.Headers.Add("api-key", ReadOnlyKey);
        using var metrics = await http.SendAsync(metricsRequest);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        string text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("/vectordb.v1.Points/Upsert", text, StringComparison.Ordinal); // the cluster's calls are counted
    }

    [SkippableFact]
    public async Task A_server_without_cluster_maps_no_orleans_assembly_and_a_cluster_node_does()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "reads /proc/<pid>/maps");
        await using var cluster = await LocalCluster.StartAsync(1, TimeSpan.FromSeconds(30));
        Assert.Contains(OrleansMapped(cluster.Silos[0].ProcessId), name => name.StartsWith("Orleans.Runtime", StringComparison.Ordinal));

        using var data = new TempDirectory("vectordb-single");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Port 0: the server binds a free port itself and names it on its "listening on" line (no port picked here
        // that another process could take before the server binds it).
        foreach (string arg in (string[])[SiloProcess.BuiltServerDll(), "--urls", "http://127.0.0.1:0", "--rest-urls=", "--data-dir", data.Path])
        {
            start.ArgumentList.Add(arg);
        }
        using var server = Process.Start(start)!;
        try
        {
            string address = await ListeningAddressAsync(server);
            using var client = new VectorDbClient(address);
            await WaitServingAsync(client, server);
            await client.CreateCollectionAsync("single", 4, Distance.Cosine); // served by the single-node engine
            await client.UpsertAsync("single", [VectorDbClient.Point(1, [1, 0, 0, 0])]);
            Assert.Equal(1UL, await client.CountAsync("single"));
            // Qdrant's gRPC API (the same handlers as a cluster node's, over the local database) and a cluster layout,
            // which one node refuses.
            using (var qdrant = new QdrantClient(new Uri(address)))
            {
                Assert.Equal(1UL, await qdrant.CountAsync("single"));
            }
            var layout = await Assert.ThrowsAsync<RpcException>(async () => await client.Collections.CreateAsync(new CreateCollectionRequest
            {
                CollectionName = "sharded", Vectors = new VectorParams { Size = 4, Distance = Distance.Cosine }, ShardNumber = 2,
            }));
            Assert.Equal(StatusCode.InvalidArgument, layout.StatusCode);
            Assert.Equal(["single"], await client.ListCollectionsAsync());
            Assert.Empty(OrleansMapped(server.Id));
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Cluster_options_without_the_flag_or_a_node_without_its_ports_is_refused_at_start()
    {
        using var data = new TempDirectory("vectordb-refused");
        var (code, error) = await RunServerAsync("--silo-port", "11111", "--data-dir", data.Path, "--urls", "http://127.0.0.1:0", "--rest-urls=");
        Assert.Equal(2, code);
        Assert.Contains("need --cluster", error, StringComparison.Ordinal);
        (code, error) = await RunServerAsync("--cluster", "--silo-port", "11111", "--gateway-port", "30000", "--data-dir", data.Path);
        Assert.Equal(2, code);
        Assert.Contains("--shared-dir", error, StringComparison.Ordinal);

        // Membership providers: Redis needs its connection and takes no shared folder; the file table stays on loopback.
        string[] node = ["--cluster", "--silo-port", "11111", "--gateway-port", "30000", "--data-dir", data.Path];
        foreach (var (extra, expected) in new (string[], string)[]
        {
            (["--membership", "redis"], "needs --redis"),
            (["--membership", "redis", "--redis", "127.0.0.1:1", "--shared-dir", data.Path], "--shared-dir is for --membership file"),
            (["--shared-dir", data.Path, "--silo-address", "10.1.2.3"], "one machine's"),
            (["--membership", "zookeeper"], "--membership must be file or redis"),
        })
        {
            (code, error) = await RunServerAsync([.. node, .. extra]);
            Assert.Equal(2, code);
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }
    }

    private static async Task<(int Code, string Error)> RunServerAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(SiloProcess.BuiltServerDll());
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120)); // hang guard
        return (process.ExitCode, await error);
    }

    /// <summary>A REST call with the read-write key: status and body.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> RestAsync(HttpClient http, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Add("api-key", ReadWriteKey);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }
        using var answer = await http.SendAsync(request);
        return (answer.StatusCode, await answer.Content.ReadAsStringAsync());
    }

    /// <summary>File names of Orleans assemblies mapped into process <paramref name="pid"/>.</summary>
    private static string[] OrleansMapped(int pid) =>
        [.. File.ReadAllLines($"/proc/{pid}/maps").Select(line => Path.GetFileName(line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last()))
            .Where(name => name.StartsWith("Orleans.", StringComparison.Ordinal) && name.EndsWith(".dll", StringComparison.Ordinal)).Distinct()];

    /// <summary>The address on the server's "listening on" line (it binds one address here: --urls, no REST).</summary>
    private static async Task<string> ListeningAddressAsync(Process server)
    {
        const string Marker = "listening on ";
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await server.StandardOutput.ReadLineAsync(hangGuard.Token) is { } line)
        {
            if (line.StartsWith(Marker, StringComparison.Ordinal))
                return line[Marker.Length..].Trim();
        }
        Assert.Fail($"the single-node server exited before it listened: {await server.StandardError.ReadToEndAsync()}");
        return "";
    }

    private static async Task WaitServingAsync(VectorDbClient client, Process server)
    {
        for (int attempt = 0; attempt < 600; attempt++) // hang guard: 600 tries 0.2 s apart
        {
            Assert.False(server.HasExited, "the single-node server exited");
            try
            {
                await client.ListCollectionsAsync();
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                await Task.Delay(200);
            }
        }
        Assert.Fail("the single-node server did not start serving");
    }

    private static async Task<List<string>> ReflectedServicesAsync(GrpcChannel channel, Metadata headers)
    {
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(headers);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        return [.. call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name)];
    }
}

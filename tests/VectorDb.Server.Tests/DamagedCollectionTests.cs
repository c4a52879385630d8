using Grpc.Core;
using Grpc.Health.V1;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;
using VectorDb.Client;

namespace VectorDb.Server.Tests;

/// <summary>
/// One damaged collection at start (its manifest replaced by another collection's, or bytes of its codes log
/// flipped) must not take the server down: the real server process starts, the healthy collection serves, and the
/// damaged one is refused with DATA_LOSS and reported in List, the health service, /metrics and the log. The
/// operator then drops it over gRPC, or salvages it with the CLI while the server is stopped.
/// </summary>
public sealed class DamagedCollectionTests
{
    private const int Points = 200;

    [Fact]
    public async Task ForeignManifest_ServerStarts_OthersServe_DamagedReportedEverywhere_DropRemovesIt()
    {
        using var dir = new TempDirectory("vectordb-damaged");
        await CreateAsync(dir.Path, ("good", 8, 0UL), ("bad", 8, 0UL), ("wide", 16, 0UL));
        // A valid manifest of another collection of another dimension (the "Destination is too short" crash).
        File.Copy(Path.Combine(dir.Path, "wide", "manifest.vdb"), Path.Combine(dir.Path, "bad", "manifest.vdb"), overwrite: true);

        using var server = await ServerChild.StartAsync(dir.Path, rest: true);
        using var client = new VectorDbClient(server.Address);
        await AssertHealthyServeAsync(client, "good", 8);
        await AssertHealthyServeAsync(client, "wide", 16);
        await AssertRefusedAsync(client, "bad", 8, "another collection");

        var list = await client.Collections.ListAsync(new ListCollectionsRequest());
        Assert.Contains(list.Collections, c => c.Name == "good" && c.Damage == "");
        var damaged = Assert.Single(list.Collections, c => c.Name == "bad");
        Assert.Contains("manifest.vdb", damaged.Damage, StringComparison.Ordinal);

        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Address);
        var health = new Health.HealthClient(channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing,
            (await health.CheckAsync(new HealthCheckRequest { Service = "vectordb.collections" })).Status);

        using var http = new HttpClient();
        string metrics = "";
        for (int attempt = 0; attempt < 50 && !metrics.Contains("vectordb_damaged_collections", StringComparison.Ordinal); attempt++)
        {
            metrics = await http.GetStringAsync($"{server.RestAddress}/metrics");
            await Task.Delay(100);
        }
        Assert.Matches("vectordb_damaged_collections\\{[^}]*collection=\"bad\"[^}]*\\} 1", metrics);
        Assert.Contains("Collection bad is damaged", server.Output, StringComparison.Ordinal);

        await client.DeleteCollectionAsync("bad"); // the operator's way out without salvage
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "bad")));
        Assert.Equal(["good", "wide"], (await client.ListCollectionsAsync()).Order());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving,
            (await health.CheckAsync(new HealthCheckRequest { Service = "vectordb.collections" })).Status);
    }

    [Fact]
    public async Task CorruptCodesLog_ServerStarts_CliSalvageRecoversTheIntactPoints()
    {
        using var dir = new TempDirectory("vectordb-salvage");
        await CreateAsync(dir.Path, ("good", 8, 0UL), ("bad", 8, 100UL));
        FlipByte(Path.Combine(dir.Path, "bad", "codes.log.0"), 64 + 4 + 20); // inside the first codes entry

        using (var server = await ServerChild.StartAsync(dir.Path))
        {
            using var client = new VectorDbClient(server.Address);
            await AssertHealthyServeAsync(client, "good", 8);
            await AssertRefusedAsync(client, "bad", 8, "codes.log.0");
            await server.StopAsync();
        }

        var (exit, stdout, stderr) = await ChildProcesses.RunCliAsync("salvage", "bad", "--data-dir", dir.Path, "--drop-damaged");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("salvaged bad into bad-salvaged", stdout, StringComparison.Ordinal);
        Assert.Contains("damaged: ", stdout, StringComparison.Ordinal);

        using (var server = await ServerChild.StartAsync(dir.Path))
        {
            using var client = new VectorDbClient(server.Address);
            Assert.Equal(["bad-salvaged", "good"], (await client.ListCollectionsAsync()).Order());
            ulong count = await client.CountAsync("bad-salvaged");
            Assert.InRange(count, (ulong)Points - 1, (ulong)Points); // at most the damaged entry's point is lost
            var ids = Enumerable.Range(100 + 1, Points - 1).Select(i => (ulong)i).ToArray(); // every point after the damaged first one
            var points = await client.GetAsync("bad-salvaged", ids, withPayload: false, withVectors: true);
            foreach (var point in points)
                Assert.Equal(Vector(point.Id.Num, 8), point.Vector.Data.ToArray());
        }
    }

    private static async Task CreateAsync(string data, params (string Name, int Dimension, ulong FirstId)[] collections)
    {
        using var server = await ServerChild.StartAsync(data);
        using var client = new VectorDbClient(server.Address);
        foreach (var (name, dimension, first) in collections)
        {
            await client.CreateCollectionAsync(name, (ulong)dimension, Distance.Cosine);
            await client.UpsertAsync(name, Enumerable.Range(0, Points).Select(i => VectorDbClient.Point(first + (ulong)i, Vector(first + (ulong)i, dimension))));
        }
        await server.StopAsync();
    }

    private static async Task AssertHealthyServeAsync(VectorDbClient client, string name, int dimension)
    {
        Assert.Equal((ulong)Points, await client.CountAsync(name));
        var hits = await client.SearchAsync(name, Vector(7, dimension), 3);
        Assert.Equal(7UL, hits[0].Id.Num);
    }

    private static async Task AssertRefusedAsync(VectorDbClient client, string name, int dimension, string reason)
    {
        var calls = new Func<Task>[]
        {
            () => client.CountAsync(name),
            () => client.SearchAsync(name, Vector(7, dimension), 3),
            () => client.UpsertAsync(name, [VectorDbClient.Point(9999, Vector(9999, dimension))]),
            () => client.Collections.GetAsync(new GetCollectionInfoRequest { CollectionName = name }).ResponseAsync,
        };
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.DataLoss, error.StatusCode);
            Assert.Contains("is damaged", error.Status.Detail, StringComparison.Ordinal);
            Assert.Contains(reason, error.Status.Detail, StringComparison.Ordinal);
        }
    }

    private static float[] Vector(ulong id, int dimension)
    {
        var rng = new TestRandom(id + 17);
        return [.. Enumerable.Range(0, dimension).Select(_ => (float)rng.NextGaussian())];
    }

    private static void FlipByte(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int b = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(b ^ 0x5A));
    }
}

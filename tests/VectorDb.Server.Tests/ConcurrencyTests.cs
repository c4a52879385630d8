using Grpc.Core;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;
using VectorDb.Client;

namespace VectorDb.Server.Tests;

/// <summary>16 clients mixing upserts, deletes and searches over gRPC, a fixed number of operations each, all released
/// at once (a count, not a time: the same work on a loaded or an idle machine).</summary>
public sealed class ConcurrencyTests
{
    private const int Clients = 16;
    private const int Dimension = 16;
    private const int OperationsPerClient = 40;

    [Fact]
    public async Task SixteenClients_MixedWorkload_NoErrors_NoLostWrites_CountsConsistent()
    {
        await using var server = await InProcessServer.StartAsync();
        using (var setup = server.Client())
        {
            await setup.CreateCollectionAsync("busy", Dimension, Distance.Dot);
        }
        // Each client owns the ids [c·1e6, c·1e6 + 500) and keeps a model of which of them are live and with which
        // vector; searches may see anyone's points. Disjoint ownership makes the final state predictable.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = Enumerable.Range(0, Clients).Select(c => Task.Run(() => RunClientAsync(server.Address, c, start.Task))).ToArray();
        start.SetResult(); // every client is built first, then all start together
        // The 5 minute bound only guards against a hang (a deadlocked write gate); it is not a speed check.
        var models = await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(5));

        using var client = server.Client();
        long expected = models.Sum(m => m.Live.Count);
        Assert.Equal((ulong)expected, await client.CountAsync("busy"));
        Assert.All(models, m => Assert.Equal(OperationsPerClient, m.Operations));
        Assert.True(models.Sum(m => m.Upserts) >= Clients * 10 && models.Sum(m => m.Deletes) >= Clients * 4 && models.Sum(m => m.Searches) >= Clients * 4,
            $"the mix is lopsided ({models.Sum(m => m.Upserts)} upserts, {models.Sum(m => m.Deletes)} deletes, {models.Sum(m => m.Searches)} searches); the test proves little");
        foreach (var model in models)
        {
            if (model.Live.Count > 0)
            {
                var points = await client.GetAsync("busy", model.Live.Keys, withPayload: true, withVectors: true);
                foreach (var point in points)
                {
                    Assert.Equal(model.Live[point.Id.Num], point.Vector.Data.ToArray()); // the last acknowledged write wins
                    Assert.Equal((long)point.Id.Num, point.Payload["id"].IntegerValue);
                }
            }
            foreach (ulong id in model.Deleted.Take(20))
            {
                var e = await Assert.ThrowsAsync<RpcException>(() => client.GetAsync("busy", [id]));
                Assert.Equal(StatusCode.NotFound, e.StatusCode);
            }
        }
    }

    private sealed record Model(Dictionary<ulong, float[]> Live, HashSet<ulong> Deleted, int Upserts, int Deletes, int Searches)
    {
        public int Operations => Upserts + Deletes + Searches;
    }

    private static async Task<Model> RunClientAsync(string address, int clientIndex, Task start)
    {
        using var client = new VectorDbClient(address);
        var rng = new TestRandom((ulong)clientIndex + 1000);
        var live = new Dictionary<ulong, float[]>();
        var deleted = new HashSet<ulong>();
        ulong baseId = (ulong)clientIndex * 1_000_000;
        int upserts = 0, deletes = 0, searches = 0;
        await start;
        while (upserts + deletes + searches < OperationsPerClient)
        {
            double dice = rng.NextDouble();
            if (dice < 0.5)
            {
                var batch = new Dictionary<ulong, float[]>();
                int size = 1 + rng.NextInt(20);
                for (int i = 0; i < size; i++)
                {
                    batch[baseId + (ulong)rng.NextInt(500)] = Enumerable.Range(0, Dimension).Select(_ => (float)rng.NextGaussian()).ToArray();
                }
                await client.UpsertAsync("busy", batch.Select(p => VectorDbClient.Point(p.Key, p.Value,
                    new Dictionary<string, Value> { ["id"] = new() { IntegerValue = (long)p.Key } })), wait: rng.NextInt(2) == 0);
                foreach (var (id, vector) in batch)
                {
                    live[id] = vector;
                    deleted.Remove(id);
                }
                upserts++;
            }
            else if (dice < 0.7 && live.Count > 0)
            {
                var victims = live.Keys.Where(_ => rng.NextInt(4) == 0).Take(10).ToList();
                if (victims.Count == 0)
                {
                    continue;
                }
                await client.DeleteAsync("busy", victims);
                foreach (var id in victims)
                {
                    live.Remove(id);
                    deleted.Add(id);
                }
                deletes++;
            }
            else
            {
                var query = Enumerable.Range(0, Dimension).Select(_ => (float)rng.NextGaussian()).ToArray();
                var hits = await client.SearchAsync("busy", query, 10, withPayload: rng.NextInt(2) == 0);
                Assert.True(hits.Count <= 10);
                searches++;
            }
        }
        return new Model(live, deleted, upserts, deletes, searches);
    }
}

using StackExchange.Redis;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace VectorDb.Cluster.Tests;

/// <summary>
/// Production membership and map storage selected by the server's options (<c>--membership redis --redis ...</c>),
/// against a real redis-server process: three node processes form a cluster with no shared folder, the shard map and
/// the catalog live in Redis and survive a kill -9 of every node, and the map's epoch compare-and-swap still refuses
/// stale changes.
/// </summary>
public sealed class RedisMembershipTests(ITestOutputHelper output)
{
    private const int Shards = 6;
    private const int Points = 3000;

    [RedisFact]
    public async Task Three_nodes_on_redis_form_a_cluster_whose_map_survives_every_nodes_restart_and_refuses_stale_epochs()
    {
        using var redis = await RedisServer.StartAsync();
        await using var cluster = await LocalCluster.StartAsync(3, TimeSpan.FromSeconds(2),
            extraArguments: ["--membership", "redis", "--redis", redis.Configuration], sharedFolder: false);
        var coordinator = cluster.Client.GetGrain<IClusterCoordinatorGrain>(0);
        var created = await coordinator.CreateCollection("glove", ClusterCollectionSpec.From(new CollectionConfig(100, Metric.Cosine), Shards, 2));
        string[] first = [.. await Task.WhenAll(cluster.Silos.Select(s => s.Ready))];
        Assert.Equal(first.Order(), created.Shards.Select(a => a.Primary).Distinct().Order()); // the three nodes share the shards
        var points = GlovePoints.Load(Points);
        foreach (var batch in points.Chunk(500))
        {
            Assert.True((await coordinator.Upsert("glove", batch, WriteConsistency.All)).AllAcknowledged);
        }
        Assert.Equal(Points, await coordinator.Count("glove"));

        // The membership table and the map are in Redis (keys named by Orleans' providers), not in any folder.
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            var keys = connection.GetServer(redis.Configuration).Keys(pattern: "*").Select(k => k.ToString()).ToArray();
            output.WriteLine($"redis keys: {string.Join(", ", keys)}");
            Assert.Contains(keys, k => k.Contains("shardmap", StringComparison.OrdinalIgnoreCase) && k.Contains("glove", StringComparison.Ordinal));
            Assert.Contains(keys, k => k.Contains("vectordb", StringComparison.Ordinal) && !k.Contains("shardmap", StringComparison.OrdinalIgnoreCase));
        }

        // Compare-and-swap on the epoch: changes at an epoch the shard is not at change nothing.
        var mapGrain = cluster.Client.GetGrain<IShardMapGrain>("glove");
        var before = (await mapGrain.Get())!;
        var shard0 = before.Shards[0];
        string replica = shard0.InSync.First(s => s != shard0.Primary);
        Assert.Null(await mapGrain.Promote(0, shard0.Epoch - 1, replica));
        Assert.Null(await mapGrain.Promote(0, shard0.Epoch + 1, replica));
        Assert.False(await mapGrain.RemoveReplica(0, shard0.Epoch + 1, replica));
        Assert.False(await mapGrain.AddReplica(0, shard0.Epoch - 1, first.First(s => !shard0.InSync.Contains(s))));
        Assert.Equal(before.Version, (await mapGrain.Get())!.Version);

        // kill -9 of every node, then all three again on their data folders: the map comes back from Redis, each
        // shard's primary disk is recognised and takes over at the next epoch, the replicas catch up.
        for (int i = 0; i < 3; i++)
        {
            cluster.Kill(i);
        }
        string[] again = new string[3];
        for (int i = 0; i < 3; i++)
        {
            again[i] = await cluster.RestartAsync(i);
        }
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(4)); // hang guard only
        ShardMapSnapshot after;
        while (true)
        {
            try
            {
                after = (await mapGrain.Get())!;
                if (after.Shards.All(a => a.InSync.Length == 2 && a.InSync.All(again.Contains)))
                {
                    break;
                }
            }
            catch (Exception e) when (e is Orleans.Runtime.OrleansException or TimeoutException)
            {
                // the client is reconnecting
            }
            Assert.False(guard.IsCancellationRequested, $"not healed\n{cluster.Silos[0].Output}");
            await Task.Delay(200);
        }
        Assert.Equal(before.Spec, after.Spec);
        Assert.Equal(before.HashFunction, after.HashFunction);
        Assert.True(after.Version > before.Version);
        foreach (var (old, now) in before.Shards.Zip(after.Shards))
        {
            Assert.Equal(old.Epoch + 1, now.Epoch); // recovered from the old primary's disk, once
            Assert.Equal(again[Array.IndexOf(first, old.Primary)], now.Primary); // the same node (data folder) as before
        }
        Assert.Equal(Points, await coordinator.Count("glove"));
        Assert.Equal(["glove"], await coordinator.List());

        // The old epoch is now stale everywhere.
        Assert.Null(await mapGrain.Promote(0, shard0.Epoch, after.Shards[0].InSync.First(s => s != after.Shards[0].Primary)));
        Assert.Equal(after.Version, (await mapGrain.Get())!.Version);
    }
}

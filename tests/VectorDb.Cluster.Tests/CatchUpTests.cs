using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Cluster.Tests.Support;
using VectorDb.Index.Rerank;
using Xunit.Abstractions;

namespace VectorDb.Cluster.Tests;

/// <summary>
/// A replica that is briefly away comes back by catching up from its primary's log tail, not by a copy of the whole
/// shard. Two silo processes, S = 6, R = 2 (every shard on both): kill -9 of silo 1 in the middle of an ingest with
/// consistency all, the ingest goes on, silo 1 restarts on its data folder. Every shard must be caught up with only the
/// writes made while silo 1 was away: those whose primary stayed on silo 0 (same epoch), and those whose primary was
/// silo 1 itself (promoted to epoch 2 on silo 0: silo 1's copy ends at a write of epoch 1 that silo 0's log holds with
/// that epoch, so it is a prefix of silo 0's log; the kill falls between two calls, so silo 1 holds no write silo 0
/// lacks). No acknowledged write may be lost.
/// </summary>
public sealed class CatchUpTests(ITestOutputHelper output)
{
    private const int Shards = 6;

    [Fact]
    public async Task A_restarted_replica_catches_up_from_the_log_tail_and_loses_no_write()
    {
        var points = GlovePoints.Load();
        await using var cluster = await LocalCluster.StartAsync(2, reReplicationGrace: TimeSpan.FromSeconds(2));
        var coordinator = cluster.Client.GetGrain<IClusterCoordinatorGrain>(0);
        var map = await coordinator.CreateCollection("glove", ClusterCollectionSpec.From(new CollectionConfig(100, Metric.Cosine), Shards, 2));
        string survivor = await cluster.Silos[0].Ready;
        string victim = await cluster.Silos[1].Ready;
        int[] stayed = [.. map.Shards.Where(a => a.Primary == survivor).Select(a => a.Shard)];
        int[] promoted = [.. map.Shards.Where(a => a.Primary == victim).Select(a => a.Shard)];
        Assert.NotEmpty(stayed);
        Assert.NotEmpty(promoted);

        var ingest = new RetryingIngest(coordinator, "glove", Shards, points.Chunk(250));
        var sentAfterKill = new long[Shards]; // points sent to each shard from the kill on (retries counted again)
        bool killed = false;
        string? returned = null;
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5)); // hang guard only
        while (!ingest.Done)
        {
            Assert.False(guard.IsCancellationRequested, $"ingest did not finish; {ingest.Acknowledged.Count} acknowledged.\n{cluster.Silos[0].Output}");
            if (ingest.Calls == 50)
            {
                cluster.Kill(1);
                killed = true;
            }
            if (ingest.Calls == 60 && returned is null)
            {
                returned = await cluster.RestartAsync(1); // the ingest goes on while it catches up
            }
            var (batch, _) = await ingest.SendNextAsync();
            if (killed)
            {
                foreach (var point in batch)
                {
                    sentAfterKill[ShardRouting.ShardOf(point.Id, Shards)]++;
                }
            }
        }
        Assert.Equal(points.Length, ingest.Acknowledged.Count);
        Assert.NotNull(returned);

        // Every shard back on both silos: the survivor and silo 1's new incarnation.
        var mapGrain = cluster.Client.GetGrain<IShardMapGrain>("glove");
        ShardMapSnapshot healed;
        while (true)
        {
            healed = (await mapGrain.Get())!;
            if (healed.Shards.All(a => a.InSync.Length == 2 && a.InSync.Contains(returned)))
            {
                break;
            }
            Assert.False(guard.IsCancellationRequested, $"replicas not restored\n{cluster.Silos[0].Output}\n{cluster.Silos[1].Output}");
            await Task.Delay(200);
        }

        // 0 acknowledged writes lost, and both copies of every shard alike.
        Assert.Equal(points.Length, await coordinator.Count("glove"));
        foreach (var assignment in healed.Shards)
        {
            var primary = await Replica(cluster, assignment.Shard, assignment.Primary).Status();
            var back = await Replica(cluster, assignment.Shard, returned).Status();
            Assert.Equal((primary.Points, primary.Sequence), (back.Points, back.Sequence));
            var received = back.Received!;
            // Caught up from the tail with at most what was written to the shard while it was away, a fraction of the
            // shard; no full copy, whether its primary stayed (epoch 1) or was promoted (epoch 2).
            Assert.Equal(stayed.Contains(assignment.Shard) ? 1 : 2, assignment.Epoch);
            Assert.True(received.CatchUps >= 1 && received.FullSyncs == 0, $"shard {assignment.Shard}: {received}");
            Assert.InRange(received.CatchUpPoints, 1, sentAfterKill[assignment.Shard]);
            Assert.True(received.CatchUpPoints < back.Points / 2, $"shard {assignment.Shard}: {received.CatchUpPoints} of {back.Points} points shipped");
            output.WriteLine($"shard {assignment.Shard} (epoch {assignment.Epoch}): catch-up of {received.CatchUpWrites} writes, {received.CatchUpPoints} of its {back.Points} points");
        }
    }

    private static IShardReplicaGrain Replica(LocalCluster cluster, int shard, string silo) =>
        cluster.Client.GetGrain<IShardReplicaGrain>(new ShardReplicaKey("glove", shard, silo).ToString());
}

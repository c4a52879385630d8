using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Cluster.Tests.Support;
using VectorDb.Index.Rerank;
using Xunit.Abstractions;

namespace VectorDb.Cluster.Tests;

/// <summary>
/// A replica that is briefly away comes back by catching up from its primary's log tail, not by a copy of the whole
/// shard. Two silo processes, S = 6, R = 2 (every shard on both): kill -9 of silo 1 in the middle of an ingest with
/// consistency all, the ingest goes on, silo 1 restarts on its data folder. Shards whose primary stayed on silo 0
/// (same epoch) must be caught up with only the writes made while silo 1 was away; shards whose primary was on silo 1
/// (promoted to a new epoch on silo 0) must be fully re-synced. No acknowledged write may be lost.
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
            if (stayed.Contains(assignment.Shard))
            {
                // Same epoch: caught up from the tail with at most what was written to the shard while it was away,
                // a fraction of the shard; no full copy.
                Assert.Equal(1, assignment.Epoch);
                Assert.True(received.CatchUps >= 1 && received.FullSyncs == 0, $"shard {assignment.Shard}: {received}");
                Assert.InRange(received.CatchUpPoints, 1, sentAfterKill[assignment.Shard]);
                Assert.True(received.CatchUpPoints < back.Points / 2, $"shard {assignment.Shard}: {received.CatchUpPoints} of {back.Points} points shipped");
                output.WriteLine($"shard {assignment.Shard} (epoch 1): catch-up of {received.CatchUpWrites} writes, {received.CatchUpPoints} of its {back.Points} points");
            }
            else
            {
                // Promoted to a new epoch meanwhile: its old copy is not a prefix of the new primary's log.
                Assert.Equal(2, assignment.Epoch);
                Assert.True(received.FullSyncs >= 1, $"shard {assignment.Shard}: {received}");
                Assert.True(received.FullSyncPoints >= back.Points - sentAfterKill[assignment.Shard]);
                output.WriteLine($"shard {assignment.Shard} (epoch 2): full sync of {received.FullSyncPoints} points");
            }
        }
    }

    private static IShardReplicaGrain Replica(LocalCluster cluster, int shard, string silo) =>
        cluster.Client.GetGrain<IShardReplicaGrain>(new ShardReplicaKey("glove", shard, silo).ToString());
}

using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace VectorDb.Cluster.Tests;

/// <summary>
/// The log tail survives its primary's kill -9. Two silo processes, S = 6, R = 2, ingest with consistency all:
/// kill -9 of silo 1 at call 40 (silo 0 becomes primary of every shard, alone in the in-sync sets, and goes on taking
/// writes); kill -9 of silo 0 at call 50 (no in-sync member of any shard is alive); one record of one shard's tail on
/// silo 0's disk is damaged on purpose; silo 0 restarts on its data folder (its disk is recognised as the dead
/// primary's and takes over at a new epoch), then silo 1 restarts. Silo 1 lacks the writes made since call 40, which
/// only silo 0's tail from before its restart holds: every undamaged shard must be caught up from that tail (no full
/// sync) with at most what was sent to it while silo 1 was away; the damaged shard's tail must be cut at the damaged record (counted), never applied, and that shard fully
/// copied. No acknowledged write may be lost and both copies of every shard must end alike.
/// </summary>
public sealed class DurableTailTests(ITestOutputHelper output)
{
    private const int Shards = 6;

    [Fact]
    public async Task A_lagging_replica_catches_up_from_a_restarted_primarys_tail_and_a_damaged_record_is_never_applied()
    {
        var points = GlovePoints.Load();
        await using var cluster = await LocalCluster.StartAsync(2, reReplicationGrace: TimeSpan.FromMinutes(10)); // only catch-ups and restarts heal
        var coordinator = cluster.Client.GetGrain<IClusterCoordinatorGrain>(0);
        await coordinator.CreateCollection("glove", ClusterCollectionSpec.From(new CollectionConfig(100, Metric.Cosine), Shards, 2));
        string first0 = await cluster.Silos[0].Ready;

        var ingest = new RetryingIngest(coordinator, "glove", Shards, points.Chunk(250));
        string? back0 = null, back1 = null;
        int damagedShard = -1;
        var sentAfterKill = new long[Shards]; // points sent to each shard while silo 1 was away (retries counted again)
        bool killed = false;
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(8)); // hang guard only
        while (!ingest.Done)
        {
            Assert.False(guard.IsCancellationRequested, $"ingest did not finish; {ingest.Acknowledged.Count} acknowledged.\n{cluster.Silos[0].Output}");
            if (ingest.Calls == 40 && !killed)
            {
                cluster.Kill(1);
                killed = true;
                await WaitAsync(async () => (await Map(cluster)).Shards.All(a => a.Primary == first0 && a.InSync.Length == 1), cluster, guard.Token);
            }
            if (ingest.Calls == 50 && back0 is null)
            {
                cluster.Kill(0);
                damagedShard = DamageOneTailRecord(cluster.DataDirectory(0));
                back0 = await cluster.RestartAsync(0);
            }
            if (ingest.Calls == 56 && back1 is null)
            {
                // The ingest waits until silo 1 is back in every in-sync set, so that what it missed is exactly what
                // was sent while it was away.
                string returned = back1 = await cluster.RestartAsync(1);
                await WaitAsync(async () => (await Map(cluster)).Shards.All(a => a.InSync.Contains(returned)), cluster, guard.Token);
                killed = false;
            }
            var (batch, _) = await ingest.SendNextAsync();
            foreach (var point in killed ? batch : [])
            {
                sentAfterKill[ShardRouting.ShardOf(point.Id, Shards)]++;
            }
        }
        Assert.Equal(points.Length, ingest.Acknowledged.Count);
        Assert.NotNull(back0);
        Assert.NotNull(back1);

        // Every shard back on both new incarnations, silo 0's disk primary.
        ShardMapSnapshot healed = null!;
        await WaitAsync(async () =>
        {
            healed = await Map(cluster);
            return healed.Shards.All(a => a.Primary == back0 && a.InSync.Length == 2 && a.InSync.Contains(back1));
        }, cluster, guard.Token);

        Assert.Equal(points.Length, await coordinator.Count("glove"));
        foreach (var assignment in healed.Shards)
        {
            var primary = await Replica(cluster, assignment.Shard, back0).Status();
            var lagging = await Replica(cluster, assignment.Shard, back1).Status();
            Assert.Equal((primary.Points, primary.Sequence), (lagging.Points, lagging.Sequence));
            var received = lagging.Received!;
            if (assignment.Shard == damagedShard)
            {
                Assert.True(primary.TailRejected >= 1, $"shard {assignment.Shard}: the damaged record was not detected ({primary})");
                Assert.True(received.FullSyncs >= 1, $"shard {assignment.Shard}: {received}");
                output.WriteLine($"shard {assignment.Shard} (damaged tail): full sync of {received.FullSyncPoints} points, " +
                    $"{received.FullSyncRedoWrites} writes made during the copy shipped after it");
            }
            else
            {
                Assert.True(received.CatchUps >= 1 && received.FullSyncs == 0, $"shard {assignment.Shard}: {received}");
                Assert.InRange(received.CatchUpPoints, 1, sentAfterKill[assignment.Shard]);
                Assert.True(received.CatchUpPoints < lagging.Points / 2, $"shard {assignment.Shard}: {received.CatchUpPoints} of {lagging.Points} points shipped");
                output.WriteLine($"shard {assignment.Shard} (epoch {assignment.Epoch}): caught up from the restarted primary's tail, " +
                    $"{received.CatchUpWrites} writes, {received.CatchUpPoints} of its {lagging.Points} points");
            }
        }

        // The points are there with their payloads (every 50th id read back).
        var sample = points.Where((_, i) => i % 50 == 0).ToArray();
        var read = await coordinator.Get("glove", [.. sample.Select(p => p.Id)], withPayload: true, withVector: false);
        Assert.Equal(sample.Select(p => (p.Id, p.PayloadJson)), read.Select(r => (r.Id, r.PayloadJson)));
    }

    /// <summary>Flips one byte in the middle of the last record of the largest tail segment on silo 0's disk (a record
    /// written after silo 1 left); returns that shard.</summary>
    private static int DamageOneTailRecord(string dataDirectory)
    {
        var segment = Directory.GetFiles(Path.Combine(dataDirectory, "cluster-log"), "*.seg", SearchOption.AllDirectories)
            .OrderByDescending(f => new FileInfo(f).Length).First();
        var bytes = File.ReadAllBytes(segment);
        bytes[bytes.Length - 100] ^= 0x5A; // inside the last record's vectors (each record is thousands of bytes)
        File.WriteAllBytes(segment, bytes);
        string localName = Path.GetFileName(Path.GetDirectoryName(segment))!; // glove-sN
        return int.Parse(localName[(localName.LastIndexOf("-s", StringComparison.Ordinal) + 2)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<ShardMapSnapshot> Map(LocalCluster cluster) => (await cluster.Client.GetGrain<IShardMapGrain>("glove").Get())!;

    private static async Task WaitAsync(Func<Task<bool>> done, LocalCluster cluster, CancellationToken guard)
    {
        while (true)
        {
            try
            {
                if (await done())
                {
                    return;
                }
            }
            catch (Exception e) when (e is Orleans.Runtime.OrleansException or TimeoutException)
            {
                // a silo is restarting
            }
            Assert.False(guard.IsCancellationRequested, $"not reached in time\n{cluster.Silos[0].Output}\n{cluster.Silos[1].Output}");
            await Task.Delay(200, CancellationToken.None);
        }
    }

    private static IShardReplicaGrain Replica(LocalCluster cluster, int shard, string silo) =>
        cluster.Client.GetGrain<IShardReplicaGrain>(new ShardReplicaKey("glove", shard, silo).ToString());
}

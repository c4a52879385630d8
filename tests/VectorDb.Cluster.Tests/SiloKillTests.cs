using System.Collections.Concurrent;
using System.Diagnostics;
using VectorDb.Tests.Support;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Cluster.Tests.Support;
using VectorDb.Index.Rerank;
using Xunit.Abstractions;

namespace VectorDb.Cluster.Tests;

/// <summary>
/// kill -9 of one of three silo processes in the middle of an ingest with consistency all (S = 6, R = 2, the 20k
/// GloVe slice): no acknowledged write may be lost, searches keep answering, the replica count returns to R, a write
/// from the replaced epoch is refused, and a partial search over an unreplicated collection names the lost shards.
/// </summary>
public sealed class SiloKillTests(ITestOutputHelper output)
{
    private const int Shards = 6;
    // Silo 0: the first started, which created the membership table. The table is a file in the shared folder, so no
    // silo holds it and the cluster must go on without this one (with development membership it could not).
    private const int Victim = 0;

    [Fact]
    public async Task A_killed_silo_loses_no_acknowledged_write_and_its_shards_heal()
    {
        var points = GlovePoints.Load();
        var queries = GloveSlice.Queries(50);
        var config = new CollectionConfig(100, Metric.Cosine);
        await using var cluster = await LocalCluster.StartAsync(3, reReplicationGrace: TimeSpan.FromSeconds(2));
        var coordinator = cluster.Client.GetGrain<IClusterCoordinatorGrain>(0);
        var map = await coordinator.CreateCollection("glove", ClusterCollectionSpec.From(config, Shards, 2));
        var solo = await coordinator.CreateCollection("solo", ClusterCollectionSpec.From(config, Shards, 1));
        Assert.True((await coordinator.Upsert("solo", points[..600], WriteConsistency.All)).AllAcknowledged);

        string victim = await cluster.Silos[Victim].Ready;
        int[] victimPrimaries = [.. map.Shards.Where(a => a.Primary == victim).Select(a => a.Shard)];
        int[] soloLost = [.. solo.Shards.Where(a => a.InSync.SequenceEqual([victim])).Select(a => a.Shard)];
        Assert.NotEmpty(victimPrimaries);
        Assert.NotEmpty(soloLost);

        var clock = Stopwatch.StartNew();
        TimeSpan? killedAt = null;
        var searches = new ConcurrentQueue<(TimeSpan At, string? Error)>();
        using var stopSearching = new CancellationTokenSource();
        var searching = Task.Run(async () =>
        {
            for (int q = 0; !stopSearching.IsCancellationRequested; q++)
            {
                try
                {
                    await coordinator.Search("glove", new ShardSearchRequest(queries.Row(q % queries.Count).ToArray(), 10), allowPartial: false, ReadPreference.Any);
                    searches.Enqueue((clock.Elapsed, null));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    searches.Enqueue((clock.Elapsed, $"{e.GetType().Name}: {e.Message}"));
                }
                await Task.Delay(20);
            }
        });

        // Ingest 250 points per call; the part of a call whose shard did not acknowledge is sent again later.
        var ingest = new RetryingIngest(coordinator, "glove", Shards, points.Chunk(250));
        TimeSpan? victimShardWritten = null;
        while (!ingest.Done)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), $"ingest did not finish; {ingest.Acknowledged.Count} acknowledged.\n{cluster.Silos[1].Output}");
            if (ingest.Calls == 30)
            {
                cluster.Kill(Victim);
                killedAt = clock.Elapsed;
            }
            var (_, done) = await ingest.SendNextAsync();
            if (killedAt is not null && victimShardWritten is null && done.Overlaps(victimPrimaries))
            {
                victimShardWritten = clock.Elapsed - killedAt;
            }
        }
        Assert.Equal(points.Length, ingest.Acknowledged.Count);
        var ingested = clock.Elapsed;

        // The replica count returns to R: every shard has two in-sync replicas again, none on the dead silo.
        var mapGrain = cluster.Client.GetGrain<IShardMapGrain>("glove");
        ShardMapSnapshot healed;
        while (true)
        {
            healed = (await mapGrain.Get())!;
            if (healed.Shards.All(a => a.InSync.Length == 2 && !a.InSync.Contains(victim)))
            {
                break;
            }
            Assert.True(clock.Elapsed < ingested + TimeSpan.FromMinutes(2), $"replicas not restored: {string.Join(" ", healed.Shards.Select(a => a.InSync.Length))}\n{cluster.Silos[1].Output}");
            await Task.Delay(200);
        }
        var replicated = clock.Elapsed - killedAt!.Value;
        // Searching goes on until one sent after the kill has answered: a search the client had sent to the killed
        // silo's gateway waits out the client's response timeout (30 s), which can outlast the ingest and the healing.
        while (!searches.Any(s => s.At >= killedAt.Value && s.Error is null))
        {
            Assert.True(clock.Elapsed < replicated + killedAt.Value + TimeSpan.FromMinutes(2), "no search answered after the kill"); // hang guard
            await Task.Delay(200);
        }
        await stopSearching.CancelAsync();
        await searching;

        // 0 acknowledged writes lost: every id was acknowledged exactly once or re-sent, so the count is the check,
        // and both replicas of every shard hold the same points at the same log position.
        Assert.Equal(points.Length, await coordinator.Count("glove"));
        long total = 0;
        foreach (var assignment in healed.Shards)
        {
            var statuses = await Task.WhenAll(assignment.InSync.Select(s => Replica(cluster, "glove", assignment.Shard, s).Status()));
            Assert.All(statuses, s => Assert.True(s.Synced));
            Assert.Single(statuses.Select(s => (s.Points, s.Sequence)).Distinct());
            total += statuses[0].Points;
        }
        Assert.Equal(points.Length, total);

        var afterKill = searches.Where(s => s.At >= killedAt.Value).ToArray();
        var failures = afterKill.Where(s => s.Error is not null).ToArray();
        string window = failures.Length == 0 ? "none" : $"{(failures[^1].At - failures[0].At).TotalMilliseconds:F0} ms (first {(failures[0].At - killedAt.Value).TotalMilliseconds:F0} ms after the kill)";
        output.WriteLine($"kill -9 of silo {Victim} before ingest call 31 of {ingest.Calls}; {ingest.FailedParts} shard parts refused and re-sent");
        output.WriteLine($"first acknowledged write to a shard whose primary died: {victimShardWritten?.TotalMilliseconds:F0} ms after the kill");
        output.WriteLine($"all shards back to R = 2 in-sync replicas: {replicated.TotalMilliseconds:F0} ms after the kill");
        output.WriteLine($"searches after the kill: {afterKill.Length}, failed {failures.Length}; error window {window}");
        foreach (var failure in failures.Take(3))
        {
            output.WriteLine($"  {failure.Error}");
        }
        Assert.NotNull(victimShardWritten);
        Assert.True(afterKill.Length > failures.Length, "no search succeeded after the kill");
        Assert.Empty((await coordinator.Search("glove", new ShardSearchRequest(queries.Row(0).ToArray(), 10), false, ReadPreference.Any)).MissingShards);

        await StaleEpochWritesAreRefused(cluster, healed, victimPrimaries);
        await PartialSearchNamesTheLostShards(coordinator, queries.Row(1).ToArray(), soloLost);
        Assert.Equal(points.Length, await coordinator.Count("glove"));
    }

    /// <summary>A shard promoted after the kill is at epoch 2: its new primary refuses epoch-1 writes, and so does its
    /// new replica when the write is shipped to it directly.</summary>
    private static async Task StaleEpochWritesAreRefused(LocalCluster cluster, ShardMapSnapshot map, int[] promotedShards)
    {
        var shard = map.Shards[promotedShards[0]];
        Assert.True(shard.Epoch > 1);
        ulong id = 1_000_000;
        while (ShardRouting.ShardOf(id, Shards) != shard.Shard)
        {
            id++;
        }
        var stray = new ClusterPoint(id, [.. Enumerable.Range(0, 100).Select(i => i == 0 ? 1f : 0f)]);
        var write = new ShardWrite([stray], []);
        await Assert.ThrowsAsync<StaleEpochException>(() => Replica(cluster, "glove", shard.Shard, shard.Primary).Write(shard.Epoch - 1, write, WriteConsistency.All));
        string replica = shard.InSync.Single(s => s != shard.Primary);
        var before = await Replica(cluster, "glove", shard.Shard, replica).Status();
        await Assert.ThrowsAsync<StaleEpochException>(() => Replica(cluster, "glove", shard.Shard, replica).Apply(shard.Epoch - 1, before.Sequence + 1, write));
        Assert.Equal(before, await Replica(cluster, "glove", shard.Shard, replica).Status());
    }

    /// <summary>The unreplicated collection lost the shards whose only replica was on the dead silo.</summary>
    private static async Task PartialSearchNamesTheLostShards(IClusterCoordinatorGrain coordinator, float[] query, int[] lost)
    {
        var refused = await Assert.ThrowsAsync<ShardsUnavailableException>(() => coordinator.Search("solo", new ShardSearchRequest(query, 10), false, ReadPreference.Any));
        Assert.Equal(lost, refused.Shards);
        var partial = await coordinator.Search("solo", new ShardSearchRequest(query, 10), allowPartial: true, ReadPreference.Any);
        Assert.Equal(lost, partial.MissingShards);
        Assert.Equal(10, partial.Hits.Length);
        Assert.All(partial.Hits, h => Assert.DoesNotContain(ShardRouting.ShardOf(h.Id, Shards), lost));
    }

    private static IShardReplicaGrain Replica(LocalCluster cluster, string collection, int shard, string silo) =>
        cluster.Client.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(collection, shard, silo).ToString());
}

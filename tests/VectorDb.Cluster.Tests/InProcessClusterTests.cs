using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using VectorDb.Tests.Support;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Cluster.Hosting;
using VectorDb.Engine;

namespace VectorDb.Cluster.Tests;

/// <summary>
/// The grains on Orleans' in-process test cluster (three silos in this process, each with its own data folder; the
/// maps in the real file grain storage): the shard map's epoch compare-and-swap, refusal of stale-epoch writes, and
/// the supervisor's promotion when a silo leaves the cluster. Everything waits on states, never on durations (polls
/// have hang guards only).
/// </summary>
public sealed class InProcessClusterTests : IClassFixture<InProcessClusterTests.Silos>
{
    private readonly Silos _silos;

    public InProcessClusterTests(Silos silos) => _silos = silos;

    private IGrainFactory Grains => _silos.Cluster.Client;

    [Fact]
    public async Task Every_map_change_is_conditional_on_the_epoch_the_caller_saw()
    {
        var map = Grains.GetGrain<IShardMapGrain>("cas-map");
        var spec = ClusterCollectionSpec.From(new CollectionConfig(4), shards: 3, replicas: 2);
        string[] silos = ["silo-a", "silo-b", "silo-c"];
        var created = await map.Create(spec, silos);
        for (int s = 0; s < 3; s++)
        {
            var shard = created.Shards[s];
            Assert.Equal(1, shard.Epoch);
            Assert.Equal(silos[s % 3], shard.Primary);
            Assert.Equal([silos[s % 3], silos[(s + 1) % 3]], shard.InSync);
        }
        Assert.Equal(created.Version, (await map.Create(spec, silos)).Version); // same spec: the existing map, unchanged
        await Assert.ThrowsAnyAsync<Exception>(() => map.Create(spec with { Replicas = 3 }, silos));

        var promoted = await map.Promote(0, 1, "silo-b");
        Assert.NotNull(promoted);
        Assert.Equal((2L, "silo-b"), (promoted.Epoch, promoted.Primary));
        Assert.Equal(["silo-b"], promoted.InSync);

        // Calls made with the epoch before the promotion change nothing.
        Assert.Null(await map.Promote(0, 1, "silo-a"));
        Assert.False(await map.AddReplica(0, 1, "silo-c"));
        Assert.False(await map.RemoveReplica(1, 2, "silo-c")); // shard 1 is still at epoch 1
        var unchanged = (await map.Get())!;
        Assert.Equal((promoted.Epoch, promoted.Primary), (unchanged.Shards[0].Epoch, unchanged.Shards[0].Primary));
        Assert.Equal(promoted.InSync, unchanged.Shards[0].InSync);
        Assert.Equal(created.Shards[1].InSync, unchanged.Shards[1].InSync);

        Assert.True(await map.AddReplica(0, 2, "silo-c"));
        Assert.True(await map.RemoveReplica(1, 1, "silo-c"));
        var after = (await map.Get())!;
        Assert.Equal(["silo-b", "silo-c"], after.Shards[0].InSync);
        Assert.Equal(["silo-b"], after.Shards[1].InSync);
        Assert.True(after.Version > unchanged.Version);
        await map.Clear();
        Assert.Null(await map.Get());
    }

    [Fact]
    public async Task A_write_from_a_stale_epoch_is_refused_and_changes_nothing()
    {
        var coordinator = Grains.GetGrain<IClusterCoordinatorGrain>(0);
        var spec = ClusterCollectionSpec.From(new CollectionConfig(4), shards: 2, replicas: 2);
        var map = await coordinator.CreateCollection("stale", spec);
        var written = await coordinator.Upsert("stale", [.. Enumerable.Range(0, 50).Select(i => Point(i))], WriteConsistency.All);
        Assert.True(written.AllAcknowledged);
        var shard = map.Shards[0];
        string replicaSilo = shard.InSync.Single(s => s != shard.Primary);
        var primary = Replica("stale", 0, shard.Primary);
        var replica = Replica("stale", 0, replicaSilo);
        var before = await replica.Status();

        // The replica has seen epoch 1: a record of epoch 0 (an older primary's) is refused, even at the next sequence.
        await Assert.ThrowsAsync<StaleEpochException>(() => replica.Apply(0, before.Sequence + 1, new ShardWrite([Point(1000)], [])));

        // After a promotion (epoch 2) the old primary cannot acknowledge a write of epoch 1.
        Assert.NotNull(await Grains.GetGrain<IShardMapGrain>("stale").Promote(0, 1, replicaSilo));
        await Assert.ThrowsAsync<StaleEpochException>(() => primary.Write(1, new ShardWrite([Point(1001)], []), WriteConsistency.All));

        Assert.Equal(before.Sequence, (await replica.Status()).Sequence);
        Assert.Equal(50, await coordinator.Count("stale"));
        await coordinator.DropCollection("stale");
    }

    [Fact]
    public async Task When_a_silo_leaves_the_cluster_its_primaries_are_promoted_and_every_write_is_kept()
    {
        var coordinator = Grains.GetGrain<IClusterCoordinatorGrain>(0);
        var spec = ClusterCollectionSpec.From(new CollectionConfig(4), shards: 6, replicas: 2);
        await coordinator.CreateCollection("leave", spec);
        Assert.True((await coordinator.Upsert("leave", [.. Enumerable.Range(0, 600).Select(i => Point(i))], WriteConsistency.All)).AllAcknowledged);

        var leaving = _silos.Cluster.SecondarySilos[^1];
        string gone = leaving.SiloAddress.ToParsableString();
        var mapGrain = Grains.GetGrain<IShardMapGrain>("leave");
        var led = (await mapGrain.Get())!.Shards.Where(a => a.Primary == gone).Select(a => a.Shard).ToArray();
        Assert.NotEmpty(led); // 6 shards round-robin over 3 silos: 2 of them
        await _silos.Cluster.StopSiloAsync(leaving);

        ShardMapSnapshot map;
        int polls = 0;
        while ((map = (await mapGrain.Get())!).Shards.Any(a => a.InSync.Contains(gone)))
        {
            Assert.True(++polls < 1200, "the supervisor did not move the shards off the stopped silo"); // hang guard (0.1 s apart)
            await Task.Delay(100);
        }
        foreach (int s in led)
        {
            Assert.Equal(2, map.Shards[s].Epoch); // promoted once
            Assert.NotEqual(gone, map.Shards[s].Primary);
        }
        Assert.All(map.Shards.Where(a => !led.Contains(a.Shard)), a => Assert.Equal(1, a.Epoch));
        Assert.Equal(600, await coordinator.Count("leave"));
        var hits = await coordinator.Search("leave", new ShardSearchRequest([1, 7, 0, 0.5f], K: 3, Exact: true), allowPartial: false, ReadPreference.Primary);
        Assert.Equal(3, hits.Hits.Length);
        Assert.Empty(hits.MissingShards);
    }

    /// <summary>The steps of a full sync run one by one, with writes between them: each write is acknowledged while the
    /// copy is open (the primary is not held by it), and the copy ends exact, with those writes shipped after it.</summary>
    [Fact]
    public async Task A_full_sync_takes_writes_while_it_copies_and_ends_with_them()
    {
        var coordinator = Grains.GetGrain<IClusterCoordinatorGrain>(0);
        var map = await coordinator.CreateCollection("copying", ClusterCollectionSpec.From(new CollectionConfig(4), shards: 1, replicas: 1));
        Assert.True((await coordinator.Upsert("copying", [.. Enumerable.Range(0, 1200).Select(i => Point(i))], WriteConsistency.All)).AllAcknowledged);
        string primarySilo = map.Shards[0].Primary;
        string targetSilo = _silos.Cluster.Silos.Select(s => s.SiloAddress.ToParsableString()).First(s => s != primarySilo);
        var primary = Replica("copying", 0, primarySilo);
        var target = Replica("copying", 0, targetSilo);

        long start = Assert.IsType<long>(await primary.StartSync(1, targetSilo)); // no copy there: a full sync
        var first = await primary.ExportChunk(1, null, 512);
        await target.ImportChunk(1, first.Points);
        // Writes during the copy: new points, and deletes of points already copied and not yet copied.
        Assert.True((await coordinator.Upsert("copying", [.. Enumerable.Range(5000, 100).Select(i => Point(i))], WriteConsistency.All)).AllAcknowledged);
        Assert.True((await coordinator.Delete("copying", [.. new[] { 3, 700, 1100 }.Select(i => PointId.FromNumber((ulong)i))], WriteConsistency.All)).AllAcknowledged);
        for (var from = first.NextFrom; from is { } next;)
        {
            var page = await primary.ExportChunk(1, next, 512);
            await target.ImportChunk(1, page.Points);
            from = page.NextFrom;
        }
        await primary.FinishSync(1, targetSilo, start);

        var (source, copy) = (await primary.Status(), await target.Status());
        Assert.True(copy.Synced);
        Assert.Equal(2, copy.Received!.FullSyncRedoWrites);
        Assert.Equal((source.Sequence, source.Points), (copy.Sequence, copy.Points));
        Assert.Equal(1200 + 100 - 3, copy.Points);
        var ids = Enumerable.Range(0, 1200).Concat(Enumerable.Range(5000, 100)).Select(i => PointId.FromNumber((ulong)i)).ToArray();
        Assert.Equal((await primary.Get(ids, false, true)).Select(r => (r.Id, r.Vector![1])), (await target.Get(ids, false, true)).Select(r => (r.Id, r.Vector![1])));
        Assert.Contains(targetSilo, (await Grains.GetGrain<IShardMapGrain>("copying").Get())!.Shards[0].InSync);

        // Promoted, and not written to yet at its new epoch, the copy can be the source of the next full sync.
        Assert.NotNull(await Grains.GetGrain<IShardMapGrain>("copying").Promote(0, 1, targetSilo));
        Assert.Equal(10, (await target.ExportChunk(2, null, 10)).Points.Length);
    }

    private IShardReplicaGrain Replica(string collection, int shard, string silo) =>
        Grains.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(collection, shard, silo).ToString());

    private static ClusterPoint Point(int i) => new(PointId.FromNumber((ulong)i), [1, i % 13, 0, 0.5f]);

    /// <summary>Three in-process silos and a client, shared by the tests of this class.</summary>
    public sealed class Silos : IAsyncLifetime, IDisposable
    {
        private readonly TempDirectory _root = new("vectordb-testcluster");

        public TestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var builder = new TestClusterBuilder(3);
            builder.Properties[RootKey] = _root.Path;
            builder.AddSiloBuilderConfigurator<SiloConfigurator>();
            builder.AddClientBuilderConfigurator<ClientConfigurator>();
            Cluster = builder.Build();
            await Cluster.DeployAsync();
        }

        public async Task DisposeAsync()
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }

        /// <summary>Removes the silos' folders (after <see cref="DisposeAsync"/> stopped them).</summary>
        public void Dispose() => _root.Dispose();
    }

    private const string RootKey = "VectorDbTestRoot";

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            string root = siloBuilder.Configuration[RootKey]!;
            // Re-replication after a long grace only: the promotion test looks at the promotions alone.
            siloBuilder.AddVectorDbCluster(Path.Combine(root, Guid.NewGuid().ToString("N")), o => o.ReReplicationGrace = TimeSpan.FromHours(1));
            siloBuilder.AddVectorDbFileMapStorage(Path.Combine(root, "shared"));
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.Services.AddVectorDbExceptions();
    }
}

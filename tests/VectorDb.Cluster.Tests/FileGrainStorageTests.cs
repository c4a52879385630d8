using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using VectorDb.Tests.Support;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Cluster.Storage;

namespace VectorDb.Cluster.Tests;

/// <summary>The map storage of one-machine clusters: round trip, and compare-and-swap on the ETag between two
/// storage instances over one folder (as two silo processes have).</summary>
public sealed class FileGrainStorageTests
{
    private static readonly GrainId Map = GrainId.Create("shardmap", "glove");

    private static IGrainStorageSerializer Serializer() =>
        new OrleansGrainStorageSerializer(new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>());

    /// <summary>The shard map grain's own state type.</summary>
    private static ShardMapState Snapshot(long version) => new()
    {
        Spec = new ClusterCollectionSpec(100, "Cosine", "eden-unbiased", 4, "Float32", "Ivf", 0, 1, 2, 2, 6, 2),
        Shards = [new ShardAssignment(0, version, "a", ["a", "b"])],
        Version = version,
    };

    [Fact]
    public async Task A_write_based_on_a_stale_read_fails_and_changes_nothing()
    {
        using var folder = new TempDirectory("vectordb-filestorage");
        var first = new FileGrainStorage(folder.Path, Serializer());
        var second = new FileGrainStorage(folder.Path, Serializer());

        var empty = new GrainState<ShardMapState>();
        await first.ReadStateAsync("map", Map, empty);
        Assert.False(empty.RecordExists);

        var mine = new GrainState<ShardMapState>(Snapshot(1), empty.ETag);
        await first.WriteStateAsync("map", Map, mine);
        var theirs = new GrainState<ShardMapState>();
        await second.ReadStateAsync("map", Map, theirs);
        Assert.Equal((1L, "a"), (theirs.State!.Shards[0].Epoch, theirs.State.Shards[0].Primary));
        Assert.Equal(["a", "b"], theirs.State.Shards[0].InSync);
        Assert.Equal(Snapshot(1).Spec, theirs.State.Spec);

        // Both start from the same ETag; the second writer must lose.
        theirs.State = Snapshot(2);
        await second.WriteStateAsync("map", Map, theirs);
        mine.State = Snapshot(3);
        await Assert.ThrowsAsync<InconsistentStateException>(() => first.WriteStateAsync("map", Map, mine));
        await Assert.ThrowsAsync<InconsistentStateException>(() => first.ClearStateAsync("map", Map, mine));

        var reread = new GrainState<ShardMapState>();
        await first.ReadStateAsync("map", Map, reread);
        Assert.Equal(2, reread.State!.Version);
        Assert.Equal(theirs.ETag, reread.ETag);
    }
}

namespace VectorDb.Cluster.Contracts;

/// <summary>
/// One shard's placement: its epoch (raised by every promotion), its primary and its in-sync replica set (the
/// primary included). Silos are named by <c>SiloAddress.ToParsableString()</c>.
/// <para>Invariant: every silo in <see cref="InSync"/> holds every write the primary acknowledged with consistency
/// all or majority in this epoch.</para>
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ShardAssignment(
    [property: Id(0)] int Shard,
    [property: Id(1)] long Epoch,
    [property: Id(2)] string Primary,
    [property: Id(3)] string[] InSync);

/// <summary>A collection's shard map as read from its map grain.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardMapSnapshot(
    [property: Id(0)] string Collection,
    [property: Id(1)] ClusterCollectionSpec Spec,
    [property: Id(2)] string HashFunction,
    [property: Id(3)] ShardAssignment[] Shards,
    [property: Id(4)] long Version);

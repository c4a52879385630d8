using Orleans.Concurrency;
using VectorDb.Cluster.Contracts;

namespace VectorDb.Cluster.Grains;

/// <summary>
/// A collection's shard map (key: the collection name), persisted through Orleans grain storage whose ETag makes
/// every change a compare-and-swap. It never calls other grains (so calls into it cannot deadlock); every change is
/// checked against the epoch the caller saw.
/// </summary>
public interface IShardMapGrain : IGrainWithStringKey
{
    /// <summary>The map, or null when the collection does not exist.</summary>
    [ReadOnly]
    Task<ShardMapSnapshot?> Get();

    /// <summary>Creates the map: shard s gets primary <c>silos[s mod n]</c> and the next R-1 silos as replicas, epoch 1.
    /// Returns the existing map when one with the same spec exists; throws when one with another spec does.</summary>
    Task<ShardMapSnapshot> Create(ClusterCollectionSpec spec, string[] silos);

    /// <summary>Removes <paramref name="silo"/> (not the primary) from the shard's in-sync set if the shard is still at
    /// <paramref name="epoch"/>; false (nothing changed) when it is not.</summary>
    Task<bool> RemoveReplica(int shard, long epoch, string silo);

    /// <summary>Adds <paramref name="silo"/> to the in-sync set if the shard is still at <paramref name="epoch"/>.</summary>
    Task<bool> AddReplica(int shard, long epoch, string silo);

    /// <summary>Makes <paramref name="newPrimary"/> (an in-sync replica) the primary at epoch + 1 and drops the old primary
    /// from the in-sync set, if the shard is still at <paramref name="epoch"/>; null when it is not.</summary>
    Task<ShardAssignment?> Promote(int shard, long epoch, string newPrimary);

    /// <summary>Makes <paramref name="newPrimary"/> (a silo holding the dead primary's disk, outside the in-sync set)
    /// the primary at epoch + 1 with an in-sync set of itself alone, if the shard is still at <paramref name="epoch"/>
    /// with primary <paramref name="formerPrimary"/>; null otherwise. Only for a shard whose in-sync members are all
    /// dead (the supervisor's call, as for <see cref="Promote"/>).</summary>
    Task<ShardAssignment?> Recover(int shard, long epoch, string formerPrimary, string newPrimary);

    /// <summary>Forgets the collection.</summary>
    Task Clear();
}

/// <summary>The list of clustered collections (one grain, key <see cref="Key"/>), persisted like the maps.</summary>
public interface IClusterCatalogGrain : IGrainWithStringKey
{
    public const string Key = "catalog";

    [ReadOnly]
    Task<string[]> List();

    Task Add(string collection);

    Task Remove(string collection);
}

/// <summary>
/// A thin handle on one replica of one shard, pinned to the silo whose disk holds it (key
/// <c>collection|shard|silo</c>, <see cref="ShardReplicaKey"/>). The data is the embedded engine on that silo
/// (<see cref="Hosting.LocalShards"/>); the grain holds none of it, so a re-activation loses nothing.
/// Non-reentrant: writes, shipped records and full syncs of one shard replica run one at a time, in order.
/// </summary>
public interface IShardReplicaGrain : IGrainWithStringKey
{
    /// <summary>Creates the local shard empty (or keeps an existing one) as a synced member of epoch
    /// <paramref name="epoch"/> at sequence 0. Called once per replica when the collection is created.</summary>
    Task Open(ClusterCollectionSpec spec, long epoch);

    /// <summary>As the primary: checks the map still names this replica primary at <paramref name="epoch"/>, applies the
    /// write durably, ships it to the in-sync replicas and answers per <paramref name="consistency"/>.</summary>
    /// <exception cref="StaleEpochException">This replica is not the primary at that epoch.</exception>
    Task Write(long epoch, ShardWrite write, WriteConsistency consistency);

    /// <summary>As a replica: applies a shipped write if it is the next one (<paramref name="sequence"/> = last + 1)
    /// and its epoch is not older than any seen.</summary>
    /// <exception cref="StaleEpochException">An older epoch than one already seen.</exception>
    /// <exception cref="ReplicaOutOfSyncException">Not the next sequence, or this replica is not synced.</exception>
    Task Apply(long epoch, long sequence, ShardWrite write);

    /// <summary>The shard's local top k (exact scores when re-ranked). Refused unless this replica is synced.</summary>
    [AlwaysInterleave]
    Task<ClusterHit[]> Search(ShardSearchRequest request);

    /// <summary>The points of <paramref name="ids"/> that this shard holds (absent ids are left out). Refused unless
    /// synced.</summary>
    [AlwaysInterleave]
    Task<ClusterRecord[]> Get(PointId[] ids, bool withPayload, bool withVector);

    /// <summary>The first <paramref name="limit"/> points in id order from <paramref name="from"/> on (inclusive)
    /// that pass <paramref name="filter"/>. Refused unless synced.</summary>
    [AlwaysInterleave]
    Task<ClusterRecord[]> Scroll(Filter? filter, PointId? from, int limit, bool withPayload, bool withVector);

    /// <summary>Live points passing <paramref name="filter"/> (all when null). Refused unless synced.</summary>
    [AlwaysInterleave]
    Task<long> Count(Filter? filter);

    /// <summary>The local shard's size. Refused unless synced.</summary>
    [AlwaysInterleave]
    Task<ShardInfo> Info();

    [AlwaysInterleave]
    Task<ReplicaStatus> Status();

    /// <summary>As the primary, first step of bringing the replica on <paramref name="targetSilo"/> up to date
    /// (<see cref="Hosting.ReplicaSync"/> runs the steps): when it holds a prefix of this primary's log and the tail
    /// reaches back to it, ships it the writes it lacks (catch-up), adds it to the in-sync set and returns null;
    /// otherwise recreates it empty for a full sync and returns the sequence the copy starts from. Writes to this shard
    /// wait during this call only.</summary>
    Task<long?> StartSync(long epoch, string targetSilo);

    /// <summary>As the primary, during a full sync: up to <paramref name="limit"/> live points in id order from
    /// <paramref name="from"/> on (inclusive; null: the first), with vectors and payloads, read while writes go on.</summary>
    [AlwaysInterleave]
    Task<FullSyncChunk> ExportChunk(long epoch, PointId? from, int limit);

    /// <summary>As the primary, last step of a full sync that started at <paramref name="startSequence"/>: ships the
    /// target every write made since (from the log tail, in order: the copy read each point at some moment after the
    /// start, and re-applying every later write in order makes it exact), marks it synced and adds it to the in-sync
    /// set. Writes to this shard wait during this call only.</summary>
    /// <exception cref="ReplicaOutOfSyncException">The tail no longer reaches back to the start (writes outran the copy
    /// by more than the tail's bound): the sync must start again.</exception>
    Task FinishSync(long epoch, string targetSilo, long startSequence);

    /// <summary>Catch-up target: if the local shard holds exactly the writes up to some sequence of an epoch not newer
    /// than <paramref name="epoch"/> (<see cref="ReplicaStatus.Complete"/>), starts a catch-up by the primary of
    /// <paramref name="epoch"/> and returns that position; otherwise null (the primary then does a full sync).</summary>
    Task<ReplicaLogPosition?> BeginCatchUp(long epoch);

    /// <summary>Catch-up target: applies write <paramref name="sequence"/> of the primary's tail (the next one),
    /// written at <paramref name="recordEpoch"/>, during a catch-up by the primary of <paramref name="epoch"/>.</summary>
    Task CatchUpApply(long epoch, long recordEpoch, long sequence, ShardWrite write);

    /// <summary>Catch-up target: the tail is applied up to <paramref name="sequence"/>; the replica serves again.</summary>
    Task EndCatchUp(long epoch, long sequence);

    /// <summary>Full-sync target: recreates the local shard empty, not synced, at <paramref name="epoch"/>.</summary>
    Task BeginFullSync(ClusterCollectionSpec spec, long epoch);

    /// <summary>Full-sync target: upserts one chunk of the primary's points.</summary>
    Task ImportChunk(long epoch, ClusterPoint[] points);

    /// <summary>Full-sync target: applies write <paramref name="sequence"/> (of <paramref name="recordEpoch"/>) made on the
    /// primary since the copy started; the copy stays incomplete until <see cref="EndFullSync"/>.</summary>
    Task FullSyncRedo(long epoch, long recordEpoch, long sequence, ShardWrite write);

    /// <summary>Full-sync target: makes the copy durable and marks it synced at <paramref name="sequence"/>.</summary>
    Task EndFullSync(long epoch, long sequence);

    /// <summary>Deletes the local shard.</summary>
    Task Drop();

    /// <summary>When every in-sync member of the shard is dead: if this silo's copy was restored from the disk of
    /// <paramref name="formerPrimary"/> (the dead primary's previous incarnation) and is complete, marks it synced so
    /// that the map can make it primary at a new epoch, and returns true; otherwise false and nothing changes.</summary>
    Task<bool> PrepareRecovery(string formerPrimary);
}

/// <summary>
/// The cluster's front door, any silo (stateless worker): creates collections, routes writes to shard primaries
/// and merges searches over one in-sync replica per shard.
/// </summary>
public interface IClusterCoordinatorGrain : IGrainWithIntegerKey
{
    Task<ShardMapSnapshot> CreateCollection(string name, ClusterCollectionSpec spec);

    Task DropCollection(string name);

    Task<ClusterWriteResult> Upsert(string collection, ClusterPoint[] points, WriteConsistency consistency);

    Task<ClusterWriteResult> Delete(string collection, PointId[] ids, WriteConsistency consistency);

    /// <summary>Deletes the points matching <paramref name="filter"/> on every shard (each shard's part is one
    /// replicated write).</summary>
    Task<ClusterWriteResult> DeleteMatching(string collection, Filter filter, WriteConsistency consistency);

    /// <exception cref="ShardsUnavailableException">A shard has no answering replica and partial results were not allowed.</exception>
    Task<ClusterSearchResult> Search(string collection, ShardSearchRequest request, bool allowPartial, ReadPreference preference);

    /// <summary>Points by id, in the order asked, each read from one in-sync replica of its shard.</summary>
    /// <exception cref="PointNotFoundException">Some ids are in no shard (all are named).</exception>
    Task<ClusterRecord[]> Get(string collection, PointId[] ids, bool withPayload, bool withVector);

    /// <summary>The points that exist among <paramref name="ids"/>, in the order asked, each once (missing ids are
    /// skipped, as Qdrant's retrieve does).</summary>
    Task<ClusterRecord[]> GetExisting(string collection, PointId[] ids, bool withPayload, bool withVector);

    /// <summary>One page of the collection in id order (numbers, then UUIDs), from <paramref name="from"/> on
    /// (inclusive; null: the first), at most <paramref name="limit"/> points passing <paramref name="filter"/>.</summary>
    Task<ClusterScrollPage> Scroll(string collection, Filter? filter, PointId? from, int limit, bool withPayload, bool withVector);

    /// <summary>Live points (passing <paramref name="filter"/> when given), summed over one in-sync replica per shard.</summary>
    Task<long> Count(string collection, Filter? filter = null);

    /// <summary>The collection's map, and its size over one in-sync replica per shard.</summary>
    Task<ClusterCollectionInfo> Info(string collection);

    /// <summary>Every clustered collection's name.</summary>
    Task<string[]> List();
}

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

    /// <summary>As the primary: brings the replica on <paramref name="targetSilo"/> up to date, then adds it to the
    /// in-sync set: by shipping the writes it lacks from this primary's log tail when it holds a complete prefix of
    /// this epoch's log and the tail reaches back to it (catch-up), else by copying the whole shard from the stored
    /// originals in chunks (full sync). Writes to this shard wait meanwhile.</summary>
    Task SyncReplica(long epoch, string targetSilo);

    /// <summary>Catch-up target: if the local shard holds exactly the writes up to some sequence of epoch
    /// <paramref name="epoch"/> (<see cref="ReplicaStatus.Complete"/>), starts a catch-up and returns that sequence;
    /// otherwise null (the primary then does a full sync).</summary>
    Task<long?> BeginCatchUp(long epoch);

    /// <summary>Catch-up target: applies write <paramref name="sequence"/> of the primary's tail (the next one).</summary>
    Task CatchUpApply(long epoch, long sequence, ShardWrite write);

    /// <summary>Catch-up target: the tail is applied up to <paramref name="sequence"/>; the replica serves again.</summary>
    Task EndCatchUp(long epoch, long sequence);

    /// <summary>Full-sync target: recreates the local shard empty, not synced, at <paramref name="epoch"/>.</summary>
    Task BeginFullSync(ClusterCollectionSpec spec, long epoch);

    /// <summary>Full-sync target: upserts one chunk of the primary's points.</summary>
    Task ImportChunk(long epoch, ClusterPoint[] points);

    /// <summary>Full-sync target: makes the copy durable and marks it synced at <paramref name="sequence"/>.</summary>
    Task EndFullSync(long epoch, long sequence);

    /// <summary>Deletes the local shard.</summary>
    Task Drop();
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

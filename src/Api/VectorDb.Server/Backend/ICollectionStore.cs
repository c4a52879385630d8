namespace VectorDb.Server.Backend;

/// <summary>
/// What Qdrant's REST and gRPC handlers need from the data: the collections (this interface) and the point operations
/// of one collection (<see cref="IStoredCollection"/>). A single node implements it over its
/// <see cref="VectorDatabase"/> (<see cref="LocalCollectionStore"/>); a cluster node over the cluster coordinator
/// (Clustering/ClusterCollectionStore), so the same handlers serve both. Nothing here names a cluster type: a
/// single-node server loads no Orleans assembly.
/// </summary>
internal interface ICollectionStore
{
    /// <summary>The engine limits requests are checked against (k, batch sizes).</summary>
    EngineLimits Limits { get; }

    /// <summary>The collection names, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates the collection with <paramref name="config"/>, laid out per <paramref name="layout"/> (null:
    /// the store's default). Throws <see cref="CollectionAlreadyExistsException"/> when the name is taken.</summary>
    Task CreateAsync(string name, CollectionConfig config, LayoutRequest? layout, CancellationToken cancellationToken);

    /// <summary>Drops the collection; false (nothing changed) when it does not exist.</summary>
    Task<bool> DropAsync(string name, CancellationToken cancellationToken);

    /// <summary>The collection (throws a <see cref="KeyNotFoundException"/> when it does not exist).</summary>
    Task<IStoredCollection> OpenAsync(string name, CancellationToken cancellationToken);
}

/// <summary>The point operations of one collection, as the engine's <see cref="VectorCollection"/> offers them.</summary>
internal interface IStoredCollection
{
    string Name { get; }

    CollectionConfig Config { get; }

    /// <summary>Sizes and layout (a single node: one shard, one replica).</summary>
    Task<StoredCollectionInfo> InfoAsync(CancellationToken cancellationToken);

    /// <summary>Upserts <paramref name="points"/>, answering once durable with <paramref name="wait"/> (a cluster
    /// always answers once durable per <paramref name="write"/>'s consistency).</summary>
    Task<WriteResult> UpsertAsync(IReadOnlyList<PointInput> points, bool wait, WriteRequest write, CancellationToken cancellationToken);

    Task<WriteResult> DeleteAsync(IReadOnlyCollection<PointId> ids, bool wait, WriteRequest write, CancellationToken cancellationToken);

    Task<WriteResult> DeleteAsync(Filter filter, bool wait, WriteRequest write, CancellationToken cancellationToken);

    /// <summary>The points by id in the order asked; a <see cref="PointNotFoundException"/>-like
    /// <see cref="KeyNotFoundException"/> names missing ids.</summary>
    Task<IReadOnlyList<RetrievedPoint>> GetAsync(IReadOnlyList<PointId> ids, bool withPayload, bool withVector, ReadRequest read, CancellationToken cancellationToken);

    /// <summary>The points that exist among <paramref name="ids"/>, in the order asked, each once.</summary>
    Task<IReadOnlyList<RetrievedPoint>> GetExistingAsync(IReadOnlyList<PointId> ids, bool withPayload, bool withVector, ReadRequest read, CancellationToken cancellationToken);

    Task<long> CountAsync(Filter? filter, ReadRequest read, CancellationToken cancellationToken);

    /// <summary>A page in id order (numbers, then UUIDs), as <see cref="VectorCollection.ScrollAsync"/>.</summary>
    Task<ScrollPage> ScrollAsync(Filter? filter, PointId? offset, long limit, bool withPayload, bool withVector, ReadRequest read,
        CancellationToken cancellationToken);

    /// <summary>Each search's hits, best first (one engine batch on a single node; merged over shards on a cluster).</summary>
    Task<IReadOnlyList<SearchResults>> SearchAsync(IReadOnlyList<SearchRequest> requests, ReadRequest read, CancellationToken cancellationToken);
}

/// <summary>A collection's info and how it is laid out.</summary>
/// <param name="Info">Config and sizes (a cluster: summed over one replica per shard).</param>
/// <param name="Shards">Shards S (1 on a single node).</param>
/// <param name="Replicas">Replicas per shard R (1 on a single node).</param>
/// <param name="WriteConsistency">The collection's default write consistency as Qdrant's
/// <c>write_consistency_factor</c> (copies that hold a write before it is acknowledged; 1 on a single node).</param>
internal sealed record StoredCollectionInfo(CollectionInfo Info, int Shards, int Replicas, int WriteConsistency);

/// <summary>How a client asked a new collection to be laid out (null fields: the store's default). Each field is
/// named as the request names it, for error messages.</summary>
/// <param name="Shards">Shards S, and the request's name for it.</param>
/// <param name="Replicas">Replicas per shard R.</param>
/// <param name="WriteConsistency">Write consistency by name: <c>all</c>, <c>majority</c> or <c>one</c>.</param>
/// <param name="WriteConsistencyFactor">Write consistency as Qdrant's <c>write_consistency_factor</c>: copies that
/// hold a write before it is acknowledged (1, ⌊R/2⌋+1 or R).</param>
internal sealed record LayoutRequest(
    (long Value, string Field)? Shards,
    (long Value, string Field)? Replicas,
    (string Value, string Field)? WriteConsistency = null,
    (long Value, string Field)? WriteConsistencyFactor = null);

/// <summary>A write's per-request consistency (<c>all</c>, <c>majority</c>, <c>one</c>; null: the collection's).</summary>
internal sealed record WriteRequest(string? Consistency)
{
    public static readonly WriteRequest Default = new((string?)null);
}

/// <summary>Which replica a read asks: <c>true</c> the shard's primary (it holds every acknowledged write), false any
/// in-sync replica (spread). A single node has one copy and ignores it.</summary>
internal sealed record ReadRequest(bool Primary)
{
    public static readonly ReadRequest Default = new(false);
}

namespace VectorDb.Server.Backend;

/// <summary>The single node's <see cref="ICollectionStore"/>: the collections of its <see cref="VectorDatabase"/>.
/// Layout, write and read requests have nothing to choose on one copy: a layout other than one shard and one
/// replica is refused (<see cref="LayoutRequest"/>), consistency and read preference are accepted.</summary>
internal sealed class LocalCollectionStore(VectorDatabase database) : ICollectionStore
{
    public EngineLimits Limits => database.Options.Limits;

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(database.ListCollections());

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) => Task.FromResult(database.TryGetCollection(name, out _));

    public async Task CreateAsync(string name, CollectionConfig config, LayoutRequest? layout, CancellationToken cancellationToken) =>
        await database.CreateCollectionAsync(name, config, cancellationToken).ConfigureAwait(false);

    public async Task<bool> DropAsync(string name, CancellationToken cancellationToken)
    {
        if (!database.TryGetCollection(name, out _))
        {
            return false;
        }
        await database.DropCollectionAsync(name, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<IStoredCollection> OpenAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<IStoredCollection>(new Local(database.GetCollection(name)));

    private sealed class Local(VectorCollection collection) : IStoredCollection
    {
        public string Name => collection.Name;

        public CollectionConfig Config => collection.Config;

        public Task<StoredCollectionInfo> InfoAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new StoredCollectionInfo(collection.GetInfo(), Shards: 1, Replicas: 1, WriteConsistency: 1));

        public Task<WriteResult> UpsertAsync(IReadOnlyList<PointInput> points, bool wait, WriteRequest write, CancellationToken cancellationToken) =>
            collection.UpsertAsync(points, wait, cancellationToken);

        public Task<WriteResult> DeleteAsync(IReadOnlyCollection<PointId> ids, bool wait, WriteRequest write, CancellationToken cancellationToken) =>
            collection.DeleteAsync(ids, wait, cancellationToken);

        public Task<WriteResult> DeleteAsync(Filter filter, bool wait, WriteRequest write, CancellationToken cancellationToken) =>
            collection.DeleteAsync(filter, wait, cancellationToken);

        public Task<IReadOnlyList<RetrievedPoint>> GetAsync(IReadOnlyList<PointId> ids, bool withPayload, bool withVector, ReadRequest read,
            CancellationToken cancellationToken) => collection.GetAsync(ids, withPayload, withVector, cancellationToken);

        public Task<IReadOnlyList<RetrievedPoint>> GetExistingAsync(IReadOnlyList<PointId> ids, bool withPayload, bool withVector, ReadRequest read,
            CancellationToken cancellationToken) => collection.GetExistingAsync(ids, withPayload, withVector, cancellationToken);

        public Task<long> CountAsync(Filter? filter, ReadRequest read, CancellationToken cancellationToken) => Task.FromResult(collection.CountPoints(filter));

        public Task<ScrollPage> ScrollAsync(Filter? filter, PointId? offset, long limit, bool withPayload, bool withVector, ReadRequest read,
            CancellationToken cancellationToken) => collection.ScrollAsync(filter, offset, limit, withPayload, withVector, cancellationToken);

        public async Task<IReadOnlyList<SearchResults>> SearchAsync(IReadOnlyList<SearchRequest> requests, ReadRequest read, CancellationToken cancellationToken) =>
            requests.Count == 1
                ? [await collection.SearchAsync(requests[0], cancellationToken).ConfigureAwait(false)]
                : await collection.SearchBatchAsync(requests, cancellationToken).ConfigureAwait(false);
    }
}

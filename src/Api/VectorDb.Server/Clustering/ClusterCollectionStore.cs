using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Server.Backend;
using VectorDb.Server.Mapping;

namespace VectorDb.Server.Clustering;

/// <summary>
/// The cluster node's <see cref="ICollectionStore"/>: every call goes through the cluster coordinator (any node
/// coordinates), so Qdrant's REST and gRPC handlers answer for the whole clustered collection, never from this
/// node's local shards. Differences from a single node: every write is answered once durable per the write
/// consistency (the request's, else the collection's), with operation id 0; the cluster's own failures (a shard with
/// no answering replica, a write some shards did not acknowledge, the cluster not answering) become
/// <see cref="StoreUnavailableException"/> (REST 503, gRPC Unavailable).
/// </summary>
internal sealed class ClusterCollectionStore(IGrainFactory grains, ClusterApiOptions options) : ICollectionStore
{
    public EngineLimits Limits { get; } = new(); // the limits every shard and the coordinator check with

    private ClusterApiOptions Options => options;

    private IClusterCoordinatorGrain Coordinator => grains.GetGrain<IClusterCoordinatorGrain>(0);

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        Guard<IReadOnlyList<string>>(async () => [.. (await Coordinator.List()).Order(StringComparer.Ordinal)]);

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) =>
        Guard(async () => await grains.GetGrain<IShardMapGrain>(name).Get() is not null);

    public Task CreateAsync(string name, CollectionConfig config, LayoutRequest? layout, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            CollectionNames.Validate(name);
            var spec = ClusterLayout.Spec(config, layout, options);
            if ((await Coordinator.List()).Contains(name, StringComparer.Ordinal))
            {
                throw new CollectionAlreadyExistsException(name);
            }
            await Coordinator.CreateCollection(name, spec);
            return true;
        });

    public Task<bool> DropAsync(string name, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            if (!await ExistsAsync(name, cancellationToken))
            {
                return false;
            }
            await Coordinator.DropCollection(name);
            return true;
        });

    public Task<IStoredCollection> OpenAsync(string name, CancellationToken cancellationToken) =>
        Guard<IStoredCollection>(async () =>
        {
            var map = await grains.GetGrain<IShardMapGrain>(name).Get() ?? throw new CollectionNotFoundException(name);
            return new Clustered(this, name, map.Spec);
        });

    /// <summary>Runs a cluster call; the cluster's own failures become <see cref="StoreUnavailableException"/>.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (ClusterErrorsInterceptor.Unavailable(e) is { } message)
        {
            throw new StoreUnavailableException(message, e);
        }
    }

    private sealed class Clustered(ClusterCollectionStore store, string name, ClusterCollectionSpec spec) : IStoredCollection
    {
        public string Name => name;

        public CollectionConfig Config { get; } = spec.ToConfig();

        private IClusterCoordinatorGrain Coordinator => store.Coordinator;

        public Task<StoredCollectionInfo> InfoAsync(CancellationToken cancellationToken) => Guard(async () =>
        {
            var info = await Coordinator.Info(name);
            var total = info.Total;
            var engine = new CollectionInfo(name, Config, total.PointsCount, total.BytesOnDisk, total.BytesInMemory, total.CodeBytesPerVector, IvfLists: 0);
            return new StoredCollectionInfo(engine, spec.Shards, spec.Replicas, ClusterLayout.CopiesAcknowledged(ClusterLayout.Consistency(spec, store.Options), spec.Replicas));
        });

        public Task<WriteResult> UpsertAsync(IReadOnlyList<PointInput> points, bool wait, WriteRequest write, CancellationToken cancellationToken) =>
            WriteAsync(points.Count, consistency => Coordinator.Upsert(name, [.. points.Select(ClusterSearchMapping.ToCluster)], consistency), write);

        public Task<WriteResult> DeleteAsync(IReadOnlyCollection<PointId> ids, bool wait, WriteRequest write, CancellationToken cancellationToken) =>
            WriteAsync(ids.Count, consistency => Coordinator.Delete(name, [.. ids], consistency), write);

        public Task<WriteResult> DeleteAsync(Filter filter, bool wait, WriteRequest write, CancellationToken cancellationToken) =>
            WriteAsync(0, consistency => Coordinator.DeleteMatching(name, filter, consistency), write);

        public Task<IReadOnlyList<RetrievedPoint>> GetAsync(IReadOnlyList<PointId> ids, bool withPayload, bool withVector, ReadRequest read,
            CancellationToken cancellationToken) =>
            Guard<IReadOnlyList<RetrievedPoint>>(async () => [.. (await Coordinator.Get(name, [.. ids], withPayload, withVector)).Select(ClusterSearchMapping.ToEngine)]);

        public Task<IReadOnlyList<RetrievedPoint>> GetExistingAsync(IReadOnlyList<PointId> ids, bool withPayload, bool withVector, ReadRequest read,
            CancellationToken cancellationToken) =>
            Guard<IReadOnlyList<RetrievedPoint>>(async () => ids.Count == 0
                ? []
                : [.. (await Coordinator.GetExisting(name, [.. ids], withPayload, withVector)).Select(ClusterSearchMapping.ToEngine)]);

        public Task<long> CountAsync(Filter? filter, ReadRequest read, CancellationToken cancellationToken) =>
            Guard(() => Coordinator.Count(name, filter));

        public Task<ScrollPage> ScrollAsync(Filter? filter, PointId? offset, long limit, bool withPayload, bool withVector, ReadRequest read,
            CancellationToken cancellationToken) => Guard(async () =>
            {
                if (limit < 1 || limit > store.Limits.MaxIdsPerCall)
                {
                    throw new LimitExceededException($"limit {limit} must be 1..{store.Limits.MaxIdsPerCall}.", nameof(limit));
                }
                var page = await Coordinator.Scroll(name, filter, offset, (int)limit, withPayload, withVector);
                return new ScrollPage([.. page.Points.Select(ClusterSearchMapping.ToEngine)], page.NextFrom);
            });

        public Task<IReadOnlyList<SearchResults>> SearchAsync(IReadOnlyList<SearchRequest> requests, ReadRequest read, CancellationToken cancellationToken) =>
            Guard<IReadOnlyList<SearchResults>>(async () =>
            {
                if (requests.Count > store.Limits.MaxSearchBatch)
                {
                    throw new LimitExceededException($"{requests.Count} searches in one batch exceed the limit of {store.Limits.MaxSearchBatch}; split the batch.", "searches");
                }
                var preference = read.Primary ? ReadPreference.Primary : ReadPreference.Any;
                var results = await Task.WhenAll(requests.Select(r => Coordinator.Search(name, ClusterSearchMapping.ToShard(r), allowPartial: false, preference)));
                return [.. results.Select(r => new SearchResults([.. r.Hits.Select(ClusterSearchMapping.ToEngine)], reranked: 0))];
            });

        private Task<WriteResult> WriteAsync(int affected, Func<WriteConsistency, Task<ClusterWriteResult>> write, WriteRequest request) =>
            Guard(async () =>
            {
                var consistency = request.Consistency is { } asked ? ClusterLayout.ParseConsistency(asked, "consistency") : ClusterLayout.Consistency(spec, store.Options);
                var result = await write(consistency);
                return result.AllAcknowledged ? new WriteResult(OperationId: 0, Durable: true, affected) : throw new NotAcknowledgedException(result);
            });
    }
}

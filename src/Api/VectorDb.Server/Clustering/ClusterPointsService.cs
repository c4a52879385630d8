using System.Diagnostics;
using Grpc.Core;
using VectorDb.Api.V1;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Server.Hosting;
using VectorDb.Server.Mapping;
using VectorDb.Server.Services;
using WriteConsistency = VectorDb.Cluster.Contracts.WriteConsistency;

namespace VectorDb.Server.Clustering;

/// <summary>
/// vectordb.v1.Points on a silo: requests are mapped exactly as the single-node server maps them
/// (<see cref="PointsService"/>'s mappings), then routed through the cluster coordinator. Differences, because a
/// clustered write is acknowledged per its consistency (the request's, else the collection's): every write waits
/// (wait = false is answered once durable too), and the operation id is 0 (each shard numbers its own writes).
/// </summary>
[BindServiceMethod(typeof(ParseFailures), nameof(ParseFailures.BindPoints))]
internal sealed class ClusterPointsService(IGrainFactory grains, ClusterApiOptions options) : Points.PointsBase
{
    private IClusterCoordinatorGrain Coordinator => grains.GetGrain<IClusterCoordinatorGrain>(0);

    public override async Task<UpsertPointsResponse> Upsert(UpsertPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        await UpsertAsync(request);
        return new UpsertPointsResponse { Result = Completed(), Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    /// <summary>Each message is one clustered upsert, acknowledged before the next is read (batches before a failing
    /// one stay written, as on a single node).</summary>
    public override async Task<UpsertPointsResponse> UpsertStream(IAsyncStreamReader<UpsertPointsRequest> requestStream, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        int batches = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await UpsertAsync(request);
            batches++;
        }
        if (batches == 0)
        {
            throw new ArgumentException("the upsert stream carried no batches; send at least one UpsertPointsRequest.", "points");
        }
        return new UpsertPointsResponse { Result = Completed(), Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    public override async Task<DeletePointsResponse> Delete(DeletePointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var result = request.Points?.PointsSelectorOneOfCase switch
        {
            PointsSelector.PointsSelectorOneOfOneofCase.Points => await Coordinator.Delete(request.CollectionName,
                [.. request.Points.Points.Ids.Select((id, i) => PointIds.ToEngine(id, $"points.ids[{i}]"))],
                await ConsistencyAsync(request.CollectionName, request.Consistency)),
            PointsSelector.PointsSelectorOneOfOneofCase.Filter => await Coordinator.DeleteMatching(request.CollectionName,
                FilterMapping.ToEngine(request.Points.Filter)!, await ConsistencyAsync(request.CollectionName, request.Consistency)),
            _ => throw new ArgumentException("points is not set; give points.points (ids) or points.filter.", "points"),
        };
        Acknowledged(result);
        return new DeletePointsResponse { Result = Completed(), Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    public override async Task<GetPointsResponse> Get(GetPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        VectorDb.PointId[] ids = [.. request.Ids.Select((id, i) => PointIds.ToEngine(id, $"ids[{i}]"))];
        var records = await Coordinator.Get(request.CollectionName, ids, request.WithPayload, request.WithVectors);
        var response = new GetPointsResponse();
        response.Result.AddRange(records.Select(record => ToProto(record)));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    /// <summary>A page in id order over every shard (the coordinator merges each shard's first limit + 1 matching ids);
    /// limit 0 means 10, as on a single node.</summary>
    public override async Task<ScrollPointsResponse> Scroll(ScrollPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        VectorDb.PointId? offset = request.Offset is null ? null : PointIds.ToEngine(request.Offset, "offset");
        long limit = request.Limit == 0 ? 10 : request.Limit;
        if (limit > new EngineLimits().MaxIdsPerCall)
        {
            throw new VectorDb.LimitExceededException($"limit {limit} must be 1..{new EngineLimits().MaxIdsPerCall}.", "limit");
        }
        var page = await Coordinator.Scroll(request.CollectionName, FilterMapping.ToEngine(request.Filter), offset, (int)limit,
            request.WithPayload, request.WithVectors);
        var response = new ScrollPointsResponse { NextPageOffset = page.NextFrom is { } next ? PointIds.ToProto(next) : null };
        response.Result.AddRange(page.Points.Select(record => ToProto(record)));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    public override async Task<CountPointsResponse> Count(CountPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        long count = await Coordinator.Count(request.CollectionName, FilterMapping.ToEngine(request.Filter));
        return new CountPointsResponse { Result = new CountResult { Count = (ulong)count }, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    public override async Task<SearchPointsResponse> Search(SearchPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var response = new SearchPointsResponse();
        response.Result.AddRange(await SearchAsync(request.CollectionName, request));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    public override async Task<SearchBatchPointsResponse> SearchBatch(SearchBatchPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < request.Searches.Count; i++)
        {
            string inner = request.Searches[i].CollectionName;
            if (inner.Length > 0 && inner != request.CollectionName)
            {
                throw new ArgumentException(
                    $"searches[{i}] names collection '{inner}' but the batch is for '{request.CollectionName}'; leave it empty or equal.", "searches");
            }
        }
        if (request.Searches.Count > new EngineLimits().MaxSearchBatch)
        {
            throw new VectorDb.LimitExceededException($"{request.Searches.Count} searches in one batch exceed the limit of {new EngineLimits().MaxSearchBatch}; split the batch.", "searches");
        }
        var results = await Task.WhenAll(request.Searches.Select(search => SearchAsync(request.CollectionName, search)));
        var response = new SearchBatchPointsResponse();
        foreach (var hits in results)
        {
            var batch = new BatchResult();
            batch.Result.AddRange(hits);
            response.Result.Add(batch);
        }
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    private async Task UpsertAsync(UpsertPointsRequest request)
    {
        var points = PointsService.ToEngine(request);
        ClusterPoint[] clustered = [.. points.Select(ClusterSearchMapping.ToCluster)];
        Acknowledged(await Coordinator.Upsert(request.CollectionName, clustered, await ConsistencyAsync(request.CollectionName, request.Consistency)));
    }

    private async Task<IEnumerable<VectorDb.Api.V1.ScoredPoint>> SearchAsync(string collection, SearchPointsRequest request)
    {
        var shardRequest = ClusterSearchMapping.ToShard(PointsService.ToEngine(request));
        var result = await Coordinator.Search(collection, shardRequest, allowPartial: false, ReadPreference.Any);
        return result.Hits.Select(h => PointsService.ToProto(ClusterSearchMapping.ToEngine(h)));
    }

    private static VectorDb.Api.V1.RetrievedPoint ToProto(ClusterRecord record) => PointsService.ToProto(ClusterSearchMapping.ToEngine(record));

    /// <summary>The request's consistency, else the collection's (persisted in its map), else the node's.</summary>
    private async Task<WriteConsistency> ConsistencyAsync(string collection, VectorDb.Api.V1.WriteConsistency asked)
    {
        if (ClusterLayout.Name(asked) is { } name)
        {
            return ClusterLayout.ParseConsistency(name, "consistency");
        }
        var map = await grains.GetGrain<IShardMapGrain>(collection).Get();
        return map is null ? options.Consistency : ClusterLayout.Consistency(map.Spec, options); // no map: the coordinator answers NotFound
    }

    private static void Acknowledged(ClusterWriteResult result)
    {
        if (!result.AllAcknowledged)
        {
            throw new NotAcknowledgedException(result);
        }
    }

    private static UpdateResult Completed() => new() { OperationId = 0, Status = UpdateStatus.Completed };
}

using System.Diagnostics;
using Grpc.Core;
using VectorDb.Api.V1;
using VectorDb.Server.Mapping;
using ProtoRerank = VectorDb.Api.V1.RerankMode;

namespace VectorDb.Server.Services;

/// <summary>vectordb.v1.Points: maps proto ↔ <see cref="VectorCollection"/>. Writes default to wait = true
/// (answer once durable). The request/answer mappings are internal so that the cluster's front end
/// (vectordb-silo) maps the same messages the same way.</summary>
[BindServiceMethod(typeof(Hosting.ParseFailures), nameof(Hosting.ParseFailures.BindPoints))]
public sealed class PointsService(VectorDatabase database) : Points.PointsBase
{
    public override async Task<UpsertPointsResponse> Upsert(UpsertPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = database.GetCollection(request.CollectionName);
        var result = await collection.UpsertAsync(ToEngine(request), Wait(request.HasWait, request.Wait), context.CancellationToken);
        return new UpsertPointsResponse { Result = ToProto(result), Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    /// <summary>Bulk import: each message is one batch, applied as it arrives (a batch is validated as a whole;
    /// batches before a failing one stay written). Durability is awaited once, at the end, for every collection
    /// written with wait true or unset.</summary>
    public override async Task<UpsertPointsResponse> UpsertStream(IAsyncStreamReader<UpsertPointsRequest> requestStream, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var durable = new Dictionary<string, VectorCollection>(StringComparer.Ordinal);
        WriteResult last = default;
        bool allDurable = true;
        int batches = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            var collection = database.GetCollection(request.CollectionName);
            bool wait = Wait(request.HasWait, request.Wait);
            last = await collection.UpsertAsync(ToEngine(request), wait: false, context.CancellationToken);
            batches++;
            if (wait)
            {
                durable[collection.Name] = collection;
            }
            else
            {
                allDurable = false;
            }
        }
        if (batches == 0)
        {
            throw new ArgumentException("the upsert stream carried no batches; send at least one UpsertPointsRequest.", "points");
        }
        foreach (var collection in durable.Values)
        {
            await collection.CheckpointAsync(context.CancellationToken);
        }
        return new UpsertPointsResponse
        {
            Result = new UpdateResult { OperationId = last.OperationId, Status = allDurable ? UpdateStatus.Completed : UpdateStatus.Acknowledged },
            Time = Stopwatch.GetElapsedTime(start).TotalSeconds,
        };
    }

    public override async Task<DeletePointsResponse> Delete(DeletePointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = database.GetCollection(request.CollectionName);
        bool wait = Wait(request.HasWait, request.Wait);
        var result = request.Points?.PointsSelectorOneOfCase switch
        {
            PointsSelector.PointsSelectorOneOfOneofCase.Points => await collection.DeleteAsync(
                [.. request.Points.Points.Ids.Select((id, i) => PointIds.ToEngine(id, $"points.ids[{i}]"))], wait, context.CancellationToken),
            PointsSelector.PointsSelectorOneOfOneofCase.Filter => await collection.DeleteAsync(
                FilterMapping.ToEngine(request.Points.Filter)!, wait, context.CancellationToken),
            _ => throw new ArgumentException("points is not set; give points.points (ids) or points.filter.", "points"),
        };
        return new DeletePointsResponse { Result = ToProto(result), Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    public override async Task<GetPointsResponse> Get(GetPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = database.GetCollection(request.CollectionName);
        var ids = request.Ids.Select((id, i) => PointIds.ToEngine(id, $"ids[{i}]")).ToArray();
        var points = await collection.GetAsync(ids, request.WithPayload, request.WithVectors, context.CancellationToken);
        var response = new GetPointsResponse();
        response.Result.AddRange(points.Select(ToProto));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    /// <summary>A page of points in id order (engine <see cref="VectorCollection.ScrollAsync"/>); limit 0 means 10.</summary>
    public override async Task<ScrollPointsResponse> Scroll(ScrollPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = database.GetCollection(request.CollectionName);
        VectorDb.PointId? offset = request.Offset is null ? null : PointIds.ToEngine(request.Offset, "offset");
        var page = await collection.ScrollAsync(FilterMapping.ToEngine(request.Filter), offset, request.Limit == 0 ? 10 : request.Limit,
            request.WithPayload, request.WithVectors, context.CancellationToken);
        var response = new ScrollPointsResponse
        {
            NextPageOffset = page.NextPageOffset is { } next ? PointIds.ToProto(next) : null,
        };
        response.Result.AddRange(page.Points.Select(ToProto));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    public override Task<CountPointsResponse> Count(CountPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = database.GetCollection(request.CollectionName);
        long count = collection.CountPoints(FilterMapping.ToEngine(request.Filter));
        return Task.FromResult(new CountPointsResponse
        {
            Result = new CountResult { Count = (ulong)count },
            Time = Stopwatch.GetElapsedTime(start).TotalSeconds,
        });
    }

    public override async Task<SearchPointsResponse> Search(SearchPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = database.GetCollection(request.CollectionName);
        var results = await collection.SearchAsync(ToEngine(request), context.CancellationToken);
        var response = new SearchPointsResponse { Reranked = (ulong)results.Reranked };
        response.Result.AddRange(results.Select(ToProto));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    public override async Task<SearchBatchPointsResponse> SearchBatch(SearchBatchPointsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = database.GetCollection(request.CollectionName);
        for (int i = 0; i < request.Searches.Count; i++)
        {
            string inner = request.Searches[i].CollectionName;
            if (inner.Length > 0 && inner != request.CollectionName)
            {
                throw new ArgumentException(
                    $"searches[{i}] names collection '{inner}' but the batch is for '{request.CollectionName}'; leave it empty or equal.", "searches");
            }
        }
        var results = await collection.SearchBatchAsync([.. request.Searches.Select(ToEngine)], context.CancellationToken);
        var response = new SearchBatchPointsResponse();
        foreach (var result in results)
        {
            var batch = new BatchResult();
            batch.Result.AddRange(result.Select(ToProto));
            response.Result.Add(batch);
        }
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    /// <summary>Unset wait means true: answer only once the write is durable.</summary>
    internal static bool Wait(bool hasWait, bool wait) => !hasWait || wait;

    internal static List<PointInput> ToEngine(UpsertPointsRequest request) =>
    [
        .. request.Points.Select((p, i) =>
        {
            string where = $"points[{i}]";
            VectorDb.PointId id = PointIds.ToEngine(p.Id, where + ".id");
            if (p.Vector is null)
            {
                throw new ArgumentException($"{where} (id {id}) has no vector; set vector.data.", "points");
            }
            return new PointInput(id, p.Vector.Data.ToArray(), PayloadMapping.ToJson(p.Payload, where));
        }),
    ];

    internal static VectorDb.SearchRequest ToEngine(SearchPointsRequest request)
    {
        var parameters = request.Params ?? new SearchParams();
        if (parameters.Oversampling != 0 && !(parameters.Oversampling >= 1 && double.IsFinite(parameters.Oversampling)))
        {
            throw new ArgumentException($"params.oversampling is {parameters.Oversampling}; use a finite number ≥ 1 (0 = default).", "params.oversampling");
        }
        if (parameters.Nprobe > int.MaxValue)
        {
            throw new ArgumentException($"params.nprobe {parameters.Nprobe} is too large.", "params.nprobe");
        }
        return new VectorDb.SearchRequest(request.Vector.ToArray(), (int)Math.Min(request.Limit, int.MaxValue))
        {
            Filter = FilterMapping.ToEngine(request.Filter),
            Rerank = parameters.Rerank switch
            {
                ProtoRerank.RerankNone => Reranking.None,
                ProtoRerank.RerankFixed => Reranking.Fixed,
                ProtoRerank.RerankDefault or ProtoRerank.RerankAuto => Reranking.Auto,
                _ => throw new ArgumentException($"params.rerank {parameters.Rerank} is unknown.", "params.rerank"),
            },
            Oversampling = parameters.Oversampling == 0 ? SearchRequest.DefaultOversampling : parameters.Oversampling,
            NProbe = (int)parameters.Nprobe,
            Exact = parameters.Exact,
            WithPayload = request.WithPayload,
            WithVector = request.WithVectors,
            ScoreThreshold = request.HasScoreThreshold ? request.ScoreThreshold : null,
        };
    }

    internal static Api.V1.RetrievedPoint ToProto(VectorDb.RetrievedPoint point)
    {
        var retrieved = new Api.V1.RetrievedPoint { Id = PointIds.ToProto(point.Id) };
        PayloadMapping.FromJson(point.Payload, retrieved.Payload);
        if (point.Vector is not null)
        {
            retrieved.Vector = ToProto(point.Vector);
        }
        return retrieved;
    }

    internal static Api.V1.ScoredPoint ToProto(VectorDb.ScoredPoint point)
    {
        var scored = new Api.V1.ScoredPoint { Id = PointIds.ToProto(point.Id), Score = point.Score };
        PayloadMapping.FromJson(point.Payload, scored.Payload);
        if (point.Vector is not null)
        {
            scored.Vector = ToProto(point.Vector);
        }
        return scored;
    }

    internal static Vector ToProto(float[] vector)
    {
        var proto = new Vector();
        proto.Data.AddRange(vector);
        return proto;
    }

    private static UpdateResult ToProto(WriteResult result) => new()
    {
        OperationId = result.OperationId,
        Status = result.Durable ? UpdateStatus.Completed : UpdateStatus.Acknowledged,
    };
}

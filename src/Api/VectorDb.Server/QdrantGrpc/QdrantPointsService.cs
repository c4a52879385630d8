using System.Diagnostics;
using System.Text.Json.Nodes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using VectorDb.Server.Backend;
using VectorDb.Server.Rest;
using Q = Qdrant.Client.Grpc;

namespace VectorDb.Server.QdrantGrpc;

/// <summary>
/// Qdrant's <c>qdrant.Points</c> service over the engine, with the REST API's semantics (<see cref="PointsRest"/>,
/// <see cref="SearchRest"/>): the same engine calls, and the same translators for filters, selectors and search
/// parameters (through <see cref="QdrantGrpcJson"/>). Writes answer once applied, or once durable with
/// <c>wait: true</c> (Qdrant's default is false; a cluster node always answers once durable). Write ordering and
/// timeouts are accepted (every write goes through its shard's one primary, in order); read consistency picks the
/// replica read (<see cref="Read"/>); shard keys, update filters and update modes are refused. The data is reached
/// through <see cref="ICollectionStore"/> (a single node's database, or the cluster).
/// </summary>
internal sealed class QdrantPointsService(ICollectionStore store)
{
    public const string ServiceName = "qdrant.Points";

    public async Task<Q.PointsOperationResponse> Upsert(Q.UpsertPoints request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = await store.OpenAsync(request.CollectionName, context.CancellationToken);
        Refuse(request.ShardKeySelector is not null, "shard_key_selector");
        Refuse(request.UpdateFilter is not null, "update_filter");
        Refuse(request.HasUpdateMode && request.UpdateMode != Q.UpdateMode.Upsert, $"update_mode {request.UpdateMode}");
        var points = request.Points.Select((p, i) =>
        {
            string where = $"points[{i}]";
            return new PointInput(QdrantGrpcPoints.Id(p.Id, where + ".id"), QdrantGrpcPoints.Vector(p.Vectors, where + ".vectors"),
                QdrantGrpcPoints.Payload(p.Payload, where + ".payload"));
        }).ToList();
        var result = await collection.UpsertAsync(points, request.HasWait && request.Wait, WriteRequest.Default, context.CancellationToken);
        return Operation(result, start);
    }

    public async Task<Q.PointsOperationResponse> Delete(Q.DeletePoints request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = await store.OpenAsync(request.CollectionName, context.CancellationToken);
        Refuse(request.ShardKeySelector is not null, "shard_key_selector");
        bool wait = request.HasWait && request.Wait;
        var result = request.Points?.PointsSelectorOneOfCase switch
        {
            Q.PointsSelector.PointsSelectorOneOfOneofCase.Points => await collection.DeleteAsync(
                [.. request.Points.Points.Ids.Select((id, i) => QdrantGrpcPoints.Id(id, $"points.points.ids[{i}]"))], wait, WriteRequest.Default, context.CancellationToken),
            Q.PointsSelector.PointsSelectorOneOfOneofCase.Filter => await collection.DeleteAsync(
                QdrantFilter.Parse(QdrantGrpcJson.Filter(request.Points.Filter, "points.filter"), "points.filter")!, wait, WriteRequest.Default, context.CancellationToken),
            _ => throw new ArgumentException("points is not set; give points.points (ids) or points.filter.", "points"),
        };
        return Operation(result, start);
    }

    /// <summary>The points that exist among the ids asked, in that order (missing ids are skipped, as in Qdrant).</summary>
    public async Task<Q.GetResponse> Get(Q.GetPoints request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = await store.OpenAsync(request.CollectionName, context.CancellationToken);
        Refuse(request.ShardKeySelector is not null, "shard_key_selector");
        var payload = PayloadSelector.Parse(QdrantGrpcJson.WithPayload(request.WithPayload), byDefault: true, "with_payload");
        bool withVector = QdrantPoints.WithVector(QdrantGrpcJson.WithVectors(request.WithVectors), "with_vectors");
        var ids = request.Ids.Select((id, i) => QdrantGrpcPoints.Id(id, $"ids[{i}]")).ToList();
        var points = await collection.GetExistingAsync(ids, payload.Any, withVector, Read(request.ReadConsistency), context.CancellationToken);
        var response = new Q.GetResponse();
        response.Result.AddRange(points.Select(p => QdrantGrpcPoints.Record(p, payload)));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    /// <summary>Always an exact count (<c>exact: false</c> is answered exactly too).</summary>
    public async Task<Q.CountResponse> Count(Q.CountPoints request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = await store.OpenAsync(request.CollectionName, context.CancellationToken);
        Refuse(request.ShardKeySelector is not null, "shard_key_selector");
        long count = await collection.CountAsync(QdrantFilter.Parse(QdrantGrpcJson.Filter(request.Filter)), Read(request.ReadConsistency), context.CancellationToken);
        return new Q.CountResponse
        {
            Result = new Q.CountResult { Count = (ulong)count },
            Time = Stopwatch.GetElapsedTime(start).TotalSeconds,
        };
    }

    /// <summary>A page in id order (engine <see cref="VectorCollection.ScrollAsync"/>); limit defaults to 10.</summary>
    public async Task<Q.ScrollResponse> Scroll(Q.ScrollPoints request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var collection = await store.OpenAsync(request.CollectionName, context.CancellationToken);
        Refuse(request.ShardKeySelector is not null, "shard_key_selector");
        Refuse(request.OrderBy is not null, "order_by");
        var payload = PayloadSelector.Parse(QdrantGrpcJson.WithPayload(request.WithPayload), byDefault: true, "with_payload");
        bool withVector = QdrantPoints.WithVector(QdrantGrpcJson.WithVectors(request.WithVectors), "with_vectors");
        PointId? offset = request.Offset is null ? null : QdrantGrpcPoints.Id(request.Offset, "offset");
        var page = await collection.ScrollAsync(QdrantFilter.Parse(QdrantGrpcJson.Filter(request.Filter)), offset,
            request.HasLimit ? request.Limit : 10, payload.Any, withVector, Read(request.ReadConsistency), context.CancellationToken);
        var response = new Q.ScrollResponse
        {
            NextPageOffset = page.NextPageOffset is { } next ? QdrantGrpcPoints.ToProto(next) : null,
        };
        response.Result.AddRange(page.Points.Select(p => QdrantGrpcPoints.Record(p, payload)));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    public async Task<Q.SearchResponse> Search(Q.SearchPoints request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var hits = await SingleAsync(request.CollectionName, request, Search, Read(request.ReadConsistency), context);
        return new Q.SearchResponse { Result = { hits }, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    public async Task<Q.SearchBatchResponse> SearchBatch(Q.SearchBatchPoints request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var response = new Q.SearchBatchResponse();
        response.Result.AddRange(await BatchAsync(request.CollectionName, request.SearchPoints, "search_points", s => s.CollectionName, Search,
            Read(request.ReadConsistency), context));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    /// <summary>The universal query, for nearest-neighbour queries by vector (what current clients send for search).</summary>
    public async Task<Q.QueryResponse> Query(Q.QueryPoints request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var hits = await SingleAsync(request.CollectionName, request, Query, Read(request.ReadConsistency), context);
        return new Q.QueryResponse { Result = { hits }, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    public async Task<Q.QueryBatchResponse> QueryBatch(Q.QueryBatchPoints request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var response = new Q.QueryBatchResponse();
        response.Result.AddRange(await BatchAsync(request.CollectionName, request.QueryPoints, "query_points", q => q.CollectionName, Query,
            Read(request.ReadConsistency), context));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    /// <summary>One search or query (<paramref name="translate"/> turns it into the engine's request, its fields
    /// named under "request"): the collection is opened, the search run, and its hits answered.</summary>
    private async Task<IEnumerable<Q.ScoredPoint>> SingleAsync<T>(string collectionName, T request,
        Func<IStoredCollection, T, string, (SearchRequest, int, PayloadSelector)> translate, ReadRequest read, ServerCallContext context)
    {
        var collection = await store.OpenAsync(collectionName, context.CancellationToken);
        return (await RunAsync(collection, [translate(collection, request, "request")], read, context))[0];
    }

    /// <summary>A batch of searches or queries on one collection (each may repeat its name or leave it empty), run
    /// as one engine batch.</summary>
    private async Task<IEnumerable<Q.BatchResult>> BatchAsync<T>(string collectionName, IList<T> requests, string field,
        Func<T, string> innerCollection, Func<IStoredCollection, T, string, (SearchRequest, int, PayloadSelector)> translate, ReadRequest read,
        ServerCallContext context)
    {
        var collection = await store.OpenAsync(collectionName, context.CancellationToken);
        var searches = requests.Select((r, i) =>
        {
            string where = $"{field}[{i}]";
            string inner = innerCollection(r);
            if (inner.Length > 0 && inner != collectionName)
            {
                throw new ArgumentException($"{where} names collection '{inner}' but the batch is for '{collectionName}'; leave it empty or equal.", "collection_name");
            }
            return translate(collection, r, where);
        }).ToList();
        return (await RunAsync(collection, searches, read, context)).Select(hits =>
        {
            var batch = new Q.BatchResult();
            batch.Result.AddRange(hits);
            return batch;
        });
    }

    /// <summary>Accepted and answered as completed (as over REST): every payload field is already filterable.</summary>
    public async Task<Q.PointsOperationResponse> CreateFieldIndex(Q.CreateFieldIndexCollection request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        await store.OpenAsync(request.CollectionName, context.CancellationToken);
        if (request.FieldName.Length == 0)
        {
            throw new ArgumentException("field_name is empty; name the payload field to index.", "field_name");
        }
        return Completed(start);
    }

    /// <summary>Accepted (as over REST): there is no index to drop.</summary>
    public async Task<Q.PointsOperationResponse> DeleteFieldIndex(Q.DeleteFieldIndexCollection request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        await store.OpenAsync(request.CollectionName, context.CancellationToken);
        return Completed(start);
    }

    private (SearchRequest, int, PayloadSelector) Search(IStoredCollection collection, Q.SearchPoints request, string where)
    {
        Refuse(request.ShardKeySelector is not null, $"{where}.shard_key_selector");
        Refuse(request.SparseIndices is not null, $"{where}.sparse_indices (sparse vectors)");
        Refuse(request.HasVectorName && request.VectorName.Length > 0, $"{where}.vector_name '{request.VectorName}' (named vectors)");
        var body = QdrantGrpcJson.SearchBody(request.Filter, request.Params, request.Limit, request.HasOffset ? request.Offset : null,
            request.HasScoreThreshold ? request.ScoreThreshold : null, request.WithPayload, request.WithVectors);
        return QdrantPoints.Search([.. request.Vector], body, where, collection.Config.Metric, 10, store.Limits.MaxK);
    }

    private (SearchRequest, int, PayloadSelector) Query(IStoredCollection collection, Q.QueryPoints request, string where)
    {
        Refuse(request.Prefetch.Count > 0, $"{where}.prefetch");
        Refuse(request.LookupFrom is not null, $"{where}.lookup_from");
        Refuse(request.ShardKeySelector is not null, $"{where}.shard_key_selector");
        Refuse(request.HasUsing && request.Using.Length > 0, $"{where}.using '{request.Using}' (named vectors)");
        float[] vector = request.Query?.VariantCase switch
        {
            null or Q.Query.VariantOneofCase.None => throw new UnsupportedException($"{where}: a query without 'query' (use scroll to list points)"),
            Q.Query.VariantOneofCase.Nearest => request.Query.Nearest.VariantCase switch
            {
                Q.VectorInput.VariantOneofCase.Dense => [.. request.Query.Nearest.Dense.Data],
                Q.VectorInput.VariantOneofCase.Id => throw new UnsupportedException($"{where}.query.nearest.id (query by point id)"),
                var other => throw new UnsupportedException($"{where}.query.nearest.{other}"),
            },
            var other => throw new UnsupportedException($"{where}.query.{other}"),
        };
        var body = QdrantGrpcJson.SearchBody(request.Filter, request.Params, request.HasLimit ? request.Limit : null,
            request.HasOffset ? request.Offset : null, request.HasScoreThreshold ? request.ScoreThreshold : null, request.WithPayload, request.WithVectors);
        // Qdrant's query answers without payload unless asked (REST: with_payload absent = false as well).
        return QdrantPoints.Search(vector, body, where, collection.Config.Metric, 10, store.Limits.MaxK);
    }

    private static async Task<List<IEnumerable<Q.ScoredPoint>>> RunAsync(IStoredCollection collection,
        List<(SearchRequest Request, int Offset, PayloadSelector Payload)> searches, ReadRequest read, ServerCallContext context)
    {
        var metric = collection.Config.Metric;
        var results = await QdrantPoints.RunAsync(collection, searches, read, context.CancellationToken);
        return [.. results.Select((hits, i) => hits.Select(h => QdrantGrpcPoints.Scored(h, searches[i].Payload, metric)))];
    }

    /// <summary>Qdrant's read consistency: a factor of 1 (or none) reads any in-sync replica; more, or majority,
    /// quorum or all, reads each shard's primary, which holds every acknowledged write (replicas' answers are not
    /// compared). A single node has one copy either way.</summary>
    private static ReadRequest Read(Q.ReadConsistency? consistency) => consistency?.ValueCase switch
    {
        null or Q.ReadConsistency.ValueOneofCase.None => ReadRequest.Default,
        Q.ReadConsistency.ValueOneofCase.Factor when consistency.Factor == 0 =>
            throw new ArgumentException("read_consistency.factor is 0; read at least 1 replica.", "read_consistency"),
        Q.ReadConsistency.ValueOneofCase.Factor when consistency.Factor == 1 => ReadRequest.Default,
        _ => new ReadRequest(Primary: true),
    };

    private static void Refuse(bool present, string what)
    {
        if (present)
        {
            throw new UnsupportedException(what);
        }
    }

    private static Q.PointsOperationResponse Operation(WriteResult result, long start) =>
        new() { Result = QdrantGrpcPoints.UpdateResult(result), Time = Stopwatch.GetElapsedTime(start).TotalSeconds };

    private static Q.PointsOperationResponse Completed(long start) => new()
    {
        Result = new Q.UpdateResult { OperationId = 0, Status = Q.UpdateStatus.Completed },
        Time = Stopwatch.GetElapsedTime(start).TotalSeconds,
    };

    /// <summary>Binds the methods of <c>qdrant.Points</c>.</summary>
    internal sealed class Methods : IServiceMethodProvider<QdrantPointsService>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<QdrantPointsService> context)
        {
            var bind = new QdrantServiceMethods<QdrantPointsService>(ServiceName, context);
            bind.Unary("Upsert", Q.UpsertPoints.Parser, (s, r, c) => s.Upsert(r, c));
            bind.Unary("Delete", Q.DeletePoints.Parser, (s, r, c) => s.Delete(r, c));
            bind.Unary("Get", Q.GetPoints.Parser, (s, r, c) => s.Get(r, c));
            bind.Unary("Count", Q.CountPoints.Parser, (s, r, c) => s.Count(r, c));
            bind.Unary("Scroll", Q.ScrollPoints.Parser, (s, r, c) => s.Scroll(r, c));
            bind.Unary("Search", Q.SearchPoints.Parser, (s, r, c) => s.Search(r, c));
            bind.Unary("SearchBatch", Q.SearchBatchPoints.Parser, (s, r, c) => s.SearchBatch(r, c));
            bind.Unary("Query", Q.QueryPoints.Parser, (s, r, c) => s.Query(r, c));
            bind.Unary("QueryBatch", Q.QueryBatchPoints.Parser, (s, r, c) => s.QueryBatch(r, c));
            bind.Unary("CreateFieldIndex", Q.CreateFieldIndexCollection.Parser, (s, r, c) => s.CreateFieldIndex(r, c));
            bind.Unary("DeleteFieldIndex", Q.DeleteFieldIndexCollection.Parser, (s, r, c) => s.DeleteFieldIndex(r, c));
            bind.Unsupported("UpdateVectors", "DeleteVectors", "SetPayload", "OverwritePayload", "DeletePayload", "ClearPayload",
                "CreateVectorName", "DeleteVectorName", "SearchGroups", "Recommend", "RecommendBatch", "RecommendGroups", "Discover",
                "DiscoverBatch", "UpdateBatch", "QueryGroups", "Facet", "SearchMatrixPairs", "SearchMatrixOffsets");
        }
    }
}

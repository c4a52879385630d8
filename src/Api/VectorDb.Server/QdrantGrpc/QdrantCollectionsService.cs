using System.Diagnostics;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using VectorDb.Index.Rerank;
using VectorDb.Server.Rest;
using Q = Qdrant.Client.Grpc;

namespace VectorDb.Server.QdrantGrpc;

/// <summary>
/// Qdrant's <c>qdrant.Collections</c> service with the REST API's semantics (<see cref="CollectionsRest"/>): create
/// reads <c>vectors_config.params {size, distance}</c> and VectorDb's own options from the metadata key
/// <c>vectordb</c> (a struct with bits, scheme, originals, index, nlist); Qdrant's tuning sections are accepted and
/// ignored; the info answers VectorDb's figures under the config's metadata key <c>vectordb</c>. Aliases, cluster
/// set-up, shard keys and parameter updates answer Unimplemented.
/// </summary>
internal sealed class QdrantCollectionsService(VectorDatabase database)
{
    public const string ServiceName = "qdrant.Collections";

    public Task<Q.ListCollectionsResponse> List(Q.ListCollectionsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var response = new Q.ListCollectionsResponse();
        response.Collections.AddRange(database.ListCollections().Select(name => new Q.CollectionDescription { Name = name }));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return Task.FromResult(response);
    }

    public Task<Q.GetCollectionInfoResponse> Get(Q.GetCollectionInfoRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var info = database.GetCollection(request.CollectionName).GetInfo();
        var config = new Q.CollectionConfig
        {
            Params = new Q.CollectionParams
            {
                ShardNumber = 1,
                ReplicationFactor = 1,
                WriteConsistencyFactor = 1,
                VectorsConfig = new Q.VectorsConfig
                {
                    Params = new Q.VectorParams { Size = (ulong)info.Config.Dimension, Distance = Distance(info.Config.Metric) },
                },
            },
            HnswConfig = new Q.HnswConfigDiff(),
            OptimizerConfig = new Q.OptimizersConfigDiff(),
            WalConfig = new Q.WalConfigDiff(),
        };
        config.Metadata["vectordb"] = Value(CollectionsRest.VectorDbInfo(info));
        var result = new Q.CollectionInfo
        {
            Status = Q.CollectionStatus.Green,
            OptimizerStatus = new Q.OptimizerStatus { Ok = true },
            SegmentsCount = 1,
            PointsCount = (ulong)info.PointsCount,
            IndexedVectorsCount = (ulong)info.PointsCount,
            Config = config,
        };
        return Task.FromResult(new Q.GetCollectionInfoResponse { Result = result, Time = Stopwatch.GetElapsedTime(start).TotalSeconds });
    }

    public Task<Q.CollectionExistsResponse> CollectionExists(Q.CollectionExistsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        return Task.FromResult(new Q.CollectionExistsResponse
        {
            Result = new Q.CollectionExists { Exists = database.TryGetCollection(request.CollectionName, out _) },
            Time = Stopwatch.GetElapsedTime(start).TotalSeconds,
        });
    }

    public async Task<Q.CollectionOperationResponse> Create(Q.CreateCollection request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var config = CollectionsRest.ToConfig(QdrantGrpcJson.CreateBody(request));
        await database.CreateCollectionAsync(request.CollectionName, config, context.CancellationToken);
        return new Q.CollectionOperationResponse { Result = true, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    /// <summary>As Qdrant: deleting a collection that does not exist answers false.</summary>
    public async Task<Q.CollectionOperationResponse> Delete(Q.DeleteCollection request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        bool exists = database.TryGetCollection(request.CollectionName, out _);
        if (exists)
        {
            await database.DropCollectionAsync(request.CollectionName, context.CancellationToken);
        }
        return new Q.CollectionOperationResponse { Result = exists, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    private static Q.Distance Distance(Metric metric) => metric switch
    {
        Metric.Cosine => Q.Distance.Cosine,
        Metric.InnerProduct => Q.Distance.Dot,
        _ => Q.Distance.Euclid,
    };

    private static Q.Value Value(System.Text.Json.Nodes.JsonObject json)
    {
        var map = new Google.Protobuf.Collections.MapField<string, Q.Value>();
        QdrantGrpcPoints.FromJson(json, map);
        var value = new Q.Value { StructValue = new Q.Struct() };
        value.StructValue.Fields.Add(map);
        return value;
    }

    /// <summary>Binds the methods of <c>qdrant.Collections</c>.</summary>
    internal sealed class Methods : IServiceMethodProvider<QdrantCollectionsService>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<QdrantCollectionsService> context)
        {
            var bind = new QdrantServiceMethods<QdrantCollectionsService>(ServiceName, context);
            bind.Unary("List", Q.ListCollectionsRequest.Parser, (s, r, c) => s.List(r, c));
            bind.Unary("Get", Q.GetCollectionInfoRequest.Parser, (s, r, c) => s.Get(r, c));
            bind.Unary("CollectionExists", Q.CollectionExistsRequest.Parser, (s, r, c) => s.CollectionExists(r, c));
            bind.Unary("Create", Q.CreateCollection.Parser, (s, r, c) => s.Create(r, c));
            bind.Unary("Delete", Q.DeleteCollection.Parser, (s, r, c) => s.Delete(r, c));
            bind.Unsupported("Update", "UpdateAliases", "ListCollectionAliases", "ListAliases", "CollectionClusterInfo",
                "UpdateCollectionClusterSetup", "CreateShardKey", "DeleteShardKey", "ListShardKeys");
        }
    }
}

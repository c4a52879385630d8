using System.Diagnostics;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using VectorDb.Server.Backend;
using VectorDb.Server.Rest;
using Q = Qdrant.Client.Grpc;

namespace VectorDb.Server.QdrantGrpc;

/// <summary>
/// Qdrant's <c>qdrant.Collections</c> service with the REST API's semantics (<see cref="CollectionsRest"/>): create
/// reads <c>vectors_config.params {size, distance}</c> and VectorDb's own options from the metadata key
/// <c>vectordb</c> (a struct with bits, scheme, originals, index, nlist); Qdrant's tuning sections are accepted and
/// ignored (on a cluster node <c>shard_number</c>, <c>replication_factor</c> and <c>write_consistency_factor</c> lay
/// the collection out, see <see cref="CollectionsRest.Layout"/>); the info answers VectorDb's figures under the
/// config's metadata key <c>vectordb</c>. Aliases, cluster set-up, shard keys and parameter updates answer
/// Unimplemented. The data is reached through <see cref="ICollectionStore"/> (a single node's database, or the cluster).
/// </summary>
internal sealed class QdrantCollectionsService(ICollectionStore store)
{
    public const string ServiceName = "qdrant.Collections";

    public async Task<Q.ListCollectionsResponse> List(Q.ListCollectionsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var response = new Q.ListCollectionsResponse();
        response.Collections.AddRange((await store.ListAsync(context.CancellationToken)).Select(name => new Q.CollectionDescription { Name = name }));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    public async Task<Q.GetCollectionInfoResponse> Get(Q.GetCollectionInfoRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var stored = await (await store.OpenAsync(request.CollectionName, context.CancellationToken)).InfoAsync(context.CancellationToken);
        var info = stored.Info;
        var config = new Q.CollectionConfig
        {
            Params = new Q.CollectionParams
            {
                ShardNumber = (uint)stored.Shards,
                ReplicationFactor = (uint)stored.Replicas,
                WriteConsistencyFactor = (uint)stored.WriteConsistency,
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
        return new Q.GetCollectionInfoResponse { Result = result, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    public async Task<Q.CollectionExistsResponse> CollectionExists(Q.CollectionExistsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        return new Q.CollectionExistsResponse
        {
            Result = new Q.CollectionExists { Exists = await store.ExistsAsync(request.CollectionName, context.CancellationToken) },
            Time = Stopwatch.GetElapsedTime(start).TotalSeconds,
        };
    }

    public async Task<Q.CollectionOperationResponse> Create(Q.CreateCollection request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var body = QdrantGrpcJson.CreateBody(request);
        var config = CollectionsRest.ToConfig(body);
        await store.CreateAsync(request.CollectionName, config, CollectionsRest.Layout(body), context.CancellationToken);
        return new Q.CollectionOperationResponse { Result = true, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    /// <summary>As Qdrant: deleting a collection that does not exist answers false.</summary>
    public async Task<Q.CollectionOperationResponse> Delete(Q.DeleteCollection request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        bool existed = await store.DropAsync(request.CollectionName, context.CancellationToken);
        return new Q.CollectionOperationResponse { Result = existed, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
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

using System.Diagnostics;
using Grpc.Core;
using VectorDb.Api.V1;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Server.Hosting;
using VectorDb.Server.Backend;
using VectorDb.Server.Mapping;

namespace VectorDb.Server.Clustering;

/// <summary>vectordb.v1.Collections on a silo: the single-node server's messages and mappings, with every call routed
/// through the cluster coordinator. A collection is created with the request's shard_number, replication_factor and
/// write_consistency, each defaulting to the node's <c>--shards</c>, <c>--replicas</c>, <c>--consistency</c>
/// (<see cref="ClusterLayout"/>, through the same <see cref="ClusterCollectionStore"/> as Qdrant's APIs).</summary>
[BindServiceMethod(typeof(ParseFailures), nameof(ParseFailures.BindCollections))]
internal sealed class ClusterCollectionsService(IGrainFactory grains, ClusterApiOptions options, ICollectionStore store) : Collections.CollectionsBase
{
    private IClusterCoordinatorGrain Coordinator => grains.GetGrain<IClusterCoordinatorGrain>(0);

    public override async Task<CreateCollectionResponse> Create(CreateCollectionRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var config = CollectionMapping.ToEngine(request);
        var layout = new LayoutRequest(
            request.ShardNumber == 0 ? null : (request.ShardNumber, "shard_number"),
            request.ReplicationFactor == 0 ? null : (request.ReplicationFactor, "replication_factor"),
            ClusterLayout.Name(request.WriteConsistency) is { } named ? (named, "write_consistency") : null);
        await store.CreateAsync(request.CollectionName, config, layout, context.CancellationToken);
        return new CreateCollectionResponse { Result = true, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    public override async Task<GetCollectionInfoResponse> Get(GetCollectionInfoRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var info = await Coordinator.Info(request.CollectionName);
        var total = info.Total;
        var engineInfo = new VectorDb.CollectionInfo(request.CollectionName, info.Map.Spec.ToConfig(), total.PointsCount, total.BytesOnDisk,
            total.BytesInMemory, total.CodeBytesPerVector, IvfLists: 0);
        var result = CollectionMapping.ToProto(engineInfo);
        result.ShardNumber = (uint)info.Map.Spec.Shards;
        result.ReplicationFactor = (uint)info.Map.Spec.Replicas;
        result.WriteConsistency = ClusterLayout.ToProto(ClusterLayout.Consistency(info.Map.Spec, options));
        return new GetCollectionInfoResponse { Result = result, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    public override async Task<ListCollectionsResponse> List(ListCollectionsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var response = new ListCollectionsResponse();
        response.Collections.AddRange((await Coordinator.List()).Order(StringComparer.Ordinal).Select(name => new CollectionDescription { Name = name }));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return response;
    }

    public override async Task<DeleteCollectionResponse> Delete(DeleteCollectionRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        await Coordinator.DropCollection(request.CollectionName);
        return new DeleteCollectionResponse { Result = true, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }
}

using System.Diagnostics;
using Grpc.Core;
using VectorDb.Api.V1;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Server.Hosting;
using VectorDb.Server.Mapping;

namespace VectorDb.Server.Clustering;

/// <summary>vectordb.v1.Collections on a silo: the single-node server's messages and mappings, with every call routed
/// through the cluster coordinator. A collection created here is clustered with this silo's default shard and replica
/// counts (<c>--shards</c>, <c>--replicas</c>).</summary>
[BindServiceMethod(typeof(ParseFailures), nameof(ParseFailures.BindCollections))]
internal sealed class ClusterCollectionsService(IGrainFactory grains, ClusterApiOptions options) : Collections.CollectionsBase
{
    private IClusterCoordinatorGrain Coordinator => grains.GetGrain<IClusterCoordinatorGrain>(0);

    public override async Task<CreateCollectionResponse> Create(CreateCollectionRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var config = CollectionMapping.ToEngine(request);
        CollectionNames.Validate(request.CollectionName);
        if ((await Coordinator.List()).Contains(request.CollectionName, StringComparer.Ordinal))
        {
            throw new CollectionAlreadyExistsException(request.CollectionName);
        }
        await Coordinator.CreateCollection(request.CollectionName, ClusterCollectionSpec.From(config, options.Shards, options.Replicas));
        return new CreateCollectionResponse { Result = true, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    public override async Task<GetCollectionInfoResponse> Get(GetCollectionInfoRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var info = await Coordinator.Info(request.CollectionName);
        var total = info.Total;
        var engineInfo = new VectorDb.CollectionInfo(request.CollectionName, info.Map.Spec.ToConfig(), total.PointsCount, total.BytesOnDisk,
            total.BytesInMemory, total.CodeBytesPerVector, IvfLists: 0);
        return new GetCollectionInfoResponse { Result = CollectionMapping.ToProto(engineInfo), Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
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

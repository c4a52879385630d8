using System.Diagnostics;
using Grpc.Core;
using VectorDb.Api.V1;
using VectorDb.Server.Mapping;

namespace VectorDb.Server.Services;

/// <summary>vectordb.v1.Collections: maps proto ↔ <see cref="VectorDatabase"/>. Errors become gRPC statuses in
/// <see cref="Interceptors.ErrorMappingInterceptor"/>. Cluster layout fields (shard_number, replication_factor above 1)
/// are refused: one node holds one copy; write_consistency is accepted (one copy is all of them).</summary>
[BindServiceMethod(typeof(Hosting.ParseFailures), nameof(Hosting.ParseFailures.BindCollections))]
public sealed class CollectionsService(VectorDatabase database) : Collections.CollectionsBase
{
    public override async Task<CreateCollectionResponse> Create(CreateCollectionRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        if (request.ShardNumber > 1 || request.ReplicationFactor > 1)
        {
            throw new ArgumentException($"shard_number {request.ShardNumber} and replication_factor {request.ReplicationFactor}: a single node holds one shard " +
                "and one copy; leave them 0 or 1, or create the collection on a cluster node (docs/cluster.md).", "shard_number");
        }
        await database.CreateCollectionAsync(request.CollectionName, CollectionMapping.ToEngine(request), context.CancellationToken);
        return new CreateCollectionResponse { Result = true, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }

    public override Task<GetCollectionInfoResponse> Get(GetCollectionInfoRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var info = database.GetCollection(request.CollectionName).GetInfo();
        return Task.FromResult(new GetCollectionInfoResponse
        {
            Result = CollectionMapping.ToProto(info),
            Time = Stopwatch.GetElapsedTime(start).TotalSeconds,
        });
    }

    public override Task<ListCollectionsResponse> List(ListCollectionsRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var response = new ListCollectionsResponse();
        response.Collections.AddRange(database.ListCollections().Select(name => new CollectionDescription { Name = name }));
        response.Collections.AddRange(database.DamagedCollections.Select(d => new CollectionDescription { Name = d.Key, Damage = d.Value.Reason }));
        response.Time = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return Task.FromResult(response);
    }

    public override async Task<DeleteCollectionResponse> Delete(DeleteCollectionRequest request, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        await database.DropCollectionAsync(request.CollectionName, context.CancellationToken);
        return new DeleteCollectionResponse { Result = true, Time = Stopwatch.GetElapsedTime(start).TotalSeconds };
    }
}

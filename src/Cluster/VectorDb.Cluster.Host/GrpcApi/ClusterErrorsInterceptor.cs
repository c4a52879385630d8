using Grpc.Core;
using Grpc.Core.Interceptors;
using VectorDb.Cluster.Contracts;
using VectorDb.Server.Interceptors;

namespace VectorDb.Cluster.Host.GrpcApi;

/// <summary>
/// Turns exceptions into gRPC statuses as the single-node server does (<see cref="ErrorMappingInterceptor.Map"/>),
/// after mapping the cluster's own: a shard with no answering replica, a primary replaced during the call or a
/// replica not yet synced are Unavailable (retry: the map moves on within seconds); a write some shards did not
/// acknowledge is Unavailable too, naming them (upserts and deletes by id may be re-sent safely).
/// </summary>
internal sealed class ClusterErrorsInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e)
        {
            throw Map(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e)
        {
            throw Map(e, context);
        }
    }

    private static RpcException Map(Exception e, ServerCallContext context) => e switch
    {
        ShardsUnavailableException or StaleEpochException or ReplicaOutOfSyncException or NotAcknowledgedException =>
            new RpcException(new Status(StatusCode.Unavailable, e.Message)),
        OrleansException or TimeoutException =>
            new RpcException(new Status(StatusCode.Unavailable, $"the cluster did not answer ({e.GetType().Name}); retry.")),
        _ => ErrorMappingInterceptor.Map(e, context),
    };
}

/// <summary>Some shards did not acknowledge their part of a write (<see cref="ClusterWriteResult.FailedShards"/>).</summary>
internal sealed class NotAcknowledgedException(ClusterWriteResult result)
    : Exception($"shard(s) {string.Join(", ", result.FailedShards)} did not acknowledge the write ({string.Join("; ", result.Errors)}); " +
                "re-send it (the other shards applied their part; upserts and deletes by id are idempotent).");

using Grpc.Core;
using Grpc.Core.Interceptors;
using VectorDb.Cluster.Contracts;
using VectorDb.Server.Interceptors;
using VectorDb.Server.Security;

namespace VectorDb.Server.Clustering;

/// <summary>
/// The innermost interceptor in cluster mode (inside <see cref="ErrorMappingInterceptor"/>, which records metrics and
/// maps every other exception as on a single node, and <see cref="ApiKeyInterceptor"/>). It maps the
/// cluster's own exceptions: a shard with no answering replica, a primary replaced during the call or a replica not
/// yet synced are Unavailable (retry: the map moves on within seconds); a write some shards did not acknowledge is
/// Unavailable too, naming them (upserts and deletes by id may be re-sent safely). Qdrant's gRPC API, which is not
/// routed through the cluster, is refused with Unimplemented before it could touch this silo's local shards.
/// </summary>
internal sealed class ClusterErrorsInterceptor : Interceptor
{
    /// <summary>The detail of every Qdrant gRPC call in cluster mode.</summary>
    public const string QdrantRefused =
        "cluster mode serves the vectordb.v1 gRPC API only (Collections, Points); Qdrant's gRPC and REST APIs are not routed through the cluster yet (docs/cluster.md).";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        RefuseQdrant(context);
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        RefuseQdrant(context);
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        RefuseQdrant(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        RefuseQdrant(context);
        return continuation(requestStream, responseStream, context);
    }

    private static void RefuseQdrant(ServerCallContext context)
    {
        if (context.Method.StartsWith("/qdrant.", StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, QdrantRefused));
        }
    }

    /// <summary>The status of a cluster exception; null for any other (mapped by <see cref="ErrorMappingInterceptor"/>).</summary>
    private static RpcException? Map(Exception e) => e switch
    {
        ShardsUnavailableException or StaleEpochException or ReplicaOutOfSyncException or NotAcknowledgedException =>
            new RpcException(new Status(StatusCode.Unavailable, e.Message)),
        OrleansException or TimeoutException =>
            new RpcException(new Status(StatusCode.Unavailable, $"the cluster did not answer ({e.GetType().Name}); retry.")),
        _ => null,
    };
}

/// <summary>Some shards did not acknowledge their part of a write (<see cref="ClusterWriteResult.FailedShards"/>).</summary>
internal sealed class NotAcknowledgedException(ClusterWriteResult result)
    : Exception($"shard(s) {string.Join(", ", result.FailedShards)} did not acknowledge the write ({string.Join("; ", result.Errors)}); " +
                "re-send it (the other shards applied their part; upserts and deletes by id are idempotent).");

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
/// Unavailable too, naming them (upserts and deletes by id may be re-sent safely). Qdrant's gRPC API goes through the
/// same cluster calls (<see cref="ClusterCollectionStore"/>, which maps these failures itself for REST as well).
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
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
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
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        return continuation(requestStream, responseStream, context);
    }

    /// <summary>The status of a cluster exception; null for any other (mapped by <see cref="ErrorMappingInterceptor"/>).</summary>
    private static RpcException? Map(Exception e) => Unavailable(e) is { } message ? new RpcException(new Status(StatusCode.Unavailable, message)) : null;

    /// <summary>The message of a cluster failure worth a retry; null for any other exception.</summary>
    public static string? Unavailable(Exception e) => e switch
    {
        ShardsUnavailableException or StaleEpochException or ReplicaOutOfSyncException or NotAcknowledgedException => e.Message,
        OrleansException or TimeoutException => $"the cluster did not answer ({e.GetType().Name}); retry.",
        _ => null,
    };
}

/// <summary>Some shards did not acknowledge their part of a write (<see cref="ClusterWriteResult.FailedShards"/>).</summary>
internal sealed class NotAcknowledgedException(ClusterWriteResult result)
    : Exception($"shard(s) {string.Join(", ", result.FailedShards)} did not acknowledge the write ({string.Join("; ", result.Errors)}); " +
                "re-send it (the other shards applied their part; upserts and deletes by id are idempotent).");

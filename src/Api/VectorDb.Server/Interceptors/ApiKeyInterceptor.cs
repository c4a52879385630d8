using Grpc.Core;
using Grpc.Core.Interceptors;
using VectorDb.Server.Security;

namespace VectorDb.Server.Interceptors;

/// <summary>
/// API-key authentication and authorisation. With no key configured every call is allowed. Otherwise each call must
/// carry a key in the <c>api-key</c> metadata header or as <c>authorization: Bearer &lt;key&gt;</c>: a read-write
/// key may call everything, a read-only key only the read methods (writes get PermissionDenied); a missing or
/// unknown key gets Unauthenticated. The check runs before the service method, so a refused call changes nothing.
/// The standard health service and Qdrant's health check stay open (load balancers probe them without credentials).
/// Qdrant's gRPC API (<see cref="QdrantGrpc"/>) follows the same rules: its clients send the key as <c>api-key</c>.
/// <para>The decision is on the method routing resolved (<see cref="ResolvedMethod"/>), never on the raw path, and
/// fails closed: a method that is not on the read list below (a new one, or one that cannot be resolved) is a write.</para>
/// </summary>
public sealed class ApiKeyInterceptor(ApiKeys keys) : Interceptor
{
    private const string HealthPrefix = "/grpc.health.v1.Health/";

    /// <summary>Qdrant's health check, open as in Qdrant (its clients probe it before authenticating).</summary>
    private const string QdrantHealthCheck = "/qdrant.Qdrant/HealthCheck";

    /// <summary>Methods a read-only key may call; everything else is a write.</summary>
    private static readonly HashSet<string> s_readMethods = new(StringComparer.Ordinal)
    {
        "/vectordb.v1.Collections/Get",
        "/vectordb.v1.Collections/List",
        "/vectordb.v1.Points/Get",
        "/vectordb.v1.Points/Count",
        "/vectordb.v1.Points/Search",
        "/vectordb.v1.Points/SearchBatch",
        "/vectordb.v1.Points/Scroll",
        "/qdrant.Collections/List",
        "/qdrant.Collections/Get",
        "/qdrant.Collections/CollectionExists",
        "/qdrant.Points/Get",
        "/qdrant.Points/Count",
        "/qdrant.Points/Scroll",
        "/qdrant.Points/Search",
        "/qdrant.Points/SearchBatch",
        "/qdrant.Points/Query",
        "/qdrant.Points/QueryBatch",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    };

    /// <summary>True when at least one key is configured.</summary>
    public bool Enabled => keys.Enabled;

    /// <summary>True unless <paramref name="method"/> (a canonical full name) is a known read.</summary>
    public static bool IsWrite(string? method) => method is null || !s_readMethods.Contains(method);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        string? method = ResolvedMethod.FullName(context);
        if (!keys.Enabled || (method is not null && (method.StartsWith(HealthPrefix, StringComparison.Ordinal) || method == QdrantHealthCheck)))
        {
            return;
        }
        var headers = context.RequestHeaders;
        string? key = ApiKeys.Presented(headers.GetValue("api-key"), headers.GetValue("authorization"));
        if (key is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                "missing API key: send it in the 'api-key' metadata header or as 'authorization: Bearer <key>'."));
        }
        var role = keys.RoleOf(key);
        if (role == KeyRole.None)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the API key is not recognised; check the key the server was configured with."));
        }
        if (role == KeyRole.ReadOnly && IsWrite(method))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"the read-only API key cannot call {method ?? "this method"}; use a read-write key for writes."));
        }
    }
}

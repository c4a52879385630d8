using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace VectorDb.Server.Interceptors;

/// <summary>
/// API-key authentication and authorisation. With no key configured every call is allowed. Otherwise each call must
/// carry a key in the <c>api-key</c> metadata header or as <c>authorization: Bearer &lt;key&gt;</c>: a read-write
/// key may call everything, a read-only key only the read methods (writes get PermissionDenied); a missing or
/// unknown key gets Unauthenticated. The check runs before the service method, so a refused call changes nothing.
/// The standard health service stays open (load balancers probe it without credentials).
/// </summary>
public sealed class ApiKeyInterceptor : Interceptor
{
    private const string HealthPrefix = "/grpc.health.v1.Health/";

    /// <summary>Methods that change data; everything else is a read.</summary>
    private static readonly HashSet<string> s_writeMethods = new(StringComparer.Ordinal)
    {
        "/vectordb.v1.Collections/Create",
        "/vectordb.v1.Collections/Delete",
        "/vectordb.v1.Points/Upsert",
        "/vectordb.v1.Points/UpsertStream",
        "/vectordb.v1.Points/Delete",
    };

    // Keys are compared as SHA-256 digests in fixed time, so neither length nor content leaks through timing.
    private readonly byte[][] _readWrite;
    private readonly byte[][] _readOnly;

    public ApiKeyInterceptor(IOptions<ServerOptions> options)
    {
        _readWrite = [.. options.Value.AllReadWriteKeys.Select(Digest)];
        _readOnly = [.. options.Value.AllReadOnlyKeys.Select(Digest)];
    }

    /// <summary>True when at least one key is configured.</summary>
    public bool Enabled => _readWrite.Length + _readOnly.Length > 0;

    public static bool IsWrite(string method) => s_writeMethods.Contains(method);

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
        if (!Enabled || context.Method.StartsWith(HealthPrefix, StringComparison.Ordinal))
        {
            return;
        }
        string? key = PresentedKey(context.RequestHeaders);
        if (key is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                "missing API key: send it in the 'api-key' metadata header or as 'authorization: Bearer <key>'."));
        }
        byte[] digest = Digest(key);
        if (Matches(_readWrite, digest))
        {
            return;
        }
        if (!Matches(_readOnly, digest))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the API key is not recognised; check the key the server was configured with."));
        }
        if (IsWrite(context.Method))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"the read-only API key cannot call {context.Method}; use a read-write key for writes."));
        }
    }

    private static string? PresentedKey(Metadata headers)
    {
        if (headers.GetValue("api-key") is { Length: > 0 } apiKey)
        {
            return apiKey;
        }
        const string bearer = "Bearer ";
        return headers.GetValue("authorization") is { } authorization && authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            ? authorization[bearer.Length..].Trim()
            : null;
    }

    private static bool Matches(byte[][] keys, byte[] digest)
    {
        bool found = false;
        foreach (var key in keys)
        {
            found |= CryptographicOperations.FixedTimeEquals(key, digest);
        }
        return found;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

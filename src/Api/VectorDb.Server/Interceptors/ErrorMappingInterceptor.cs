using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using VectorDb.Server.Security;
using VectorDb.Server.Telemetry;

namespace VectorDb.Server.Interceptors;

/// <summary>
/// The outermost interceptor: turns engine exceptions into gRPC statuses whose detail says what to fix, logs
/// rejected and failed calls, and records every call's status and latency in <see cref="ServerMetrics"/>.
/// <list type="table">
/// <item><term>InvalidArgument</term><description>ArgumentException: bad vector, k, batch, payload, filter, name, limits.</description></item>
/// <item><term>NotFound</term><description>unknown collection or point id.</description></item>
/// <item><term>AlreadyExists</term><description>collection name taken.</description></item>
/// <item><term>FailedPrecondition</term><description>the operation does not fit the collection's state or format.</description></item>
/// <item><term>Unavailable</term><description>the server is shutting down; (cluster) the data cannot answer now, retry.</description></item>
/// <item><term>DataLoss</term><description>stored bytes failed verification; a collection damaged at start.</description></item>
/// <item><term>ResourceExhausted</term><description>the disk is full (the write was refused whole).</description></item>
/// <item><term>Internal</term><description>anything else (details only in the server log).</description></item>
/// </list>
/// Unauthenticated / PermissionDenied come from <see cref="ApiKeyInterceptor"/>, ResourceExhausted for oversized
/// messages from gRPC itself, InvalidArgument for unparsable messages from <see cref="Hosting.ParseFailures"/> (and for
/// broken framing of unary calls from <see cref="Hosting.FramingErrors"/>; of streaming calls, here).
/// Every detail passes through <see cref="StatusDetail.Bound"/> (echoed input is capped); metrics and logs name the
/// routed method (<see cref="ResolvedMethod"/>), never the raw request path.
/// </summary>
public sealed class ErrorMappingInterceptor(ServerMetrics metrics, ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation) =>
        RunAsync(context, () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        RunAsync(context, () => continuation(requestStream, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        RunAsync(context, async () =>
        {
            await continuation(request, responseStream, context);
            return true;
        });

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        RunAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context);
            return true;
        });

    private async Task<T> RunAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        long start = Stopwatch.GetTimestamp();
        string method = ResolvedMethod.Label(context);
        var status = StatusCode.OK;
        try
        {
            return await call();
        }
        catch (Exception e)
        {
            var mapped = Map(e, context);
            status = mapped.StatusCode;
            if (status == StatusCode.Internal && e is not RpcException)
            {
                Log.CallFailed(logger, method, e);
            }
            else
            {
                Log.CallRejected(logger, method, status, mapped.Status.Detail);
            }
            throw mapped;
        }
        finally
        {
            metrics.Record(method, status, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    /// <summary>The status for an exception thrown by a service method, with a bounded detail.</summary>
    public static RpcException Map(Exception e, ServerCallContext context)
    {
        var mapped = MapUnbounded(e, context);
        string bounded = StatusDetail.Bound(mapped.Status.Detail);
        return bounded == mapped.Status.Detail ? mapped : Status(mapped.StatusCode, bounded);
    }

    /// <summary>The exception → status table (first match wins).</summary>
    private static RpcException MapUnbounded(Exception e, ServerCallContext context) => e switch
    {
        RpcException rpc when Hosting.FramingErrors.IsClientFraming(rpc.Status) => Status(StatusCode.InvalidArgument, Hosting.FramingErrors.Describe(rpc.Status.Detail)),
        RpcException rpc => rpc,
        InvalidDataException when Hosting.FramingErrors.IsFromGrpcReader(e) => Status(StatusCode.InvalidArgument, Hosting.FramingErrors.Describe(e.Message)),
        CollectionAlreadyExistsException => Status(StatusCode.AlreadyExists, e.Message),
        KeyNotFoundException => Status(StatusCode.NotFound, e.Message),
        ArgumentException => Status(StatusCode.InvalidArgument, WithoutParameterSuffix(e)),
        OperationCanceledException when context.CancellationToken.IsCancellationRequested => Status(StatusCode.Cancelled, "the call was cancelled by the client."),
        ObjectDisposedException => Status(StatusCode.Unavailable, "the server is shutting down; retry against a running server."),
        Backend.StoreUnavailableException => Status(StatusCode.Unavailable, e.Message),
        _ when EngineErrors.CodeOf(e) == EngineErrorCode.DataDamaged => Status(StatusCode.DataLoss, e.Message),
        _ when EngineErrors.CodeOf(e) == EngineErrorCode.DiskFull => Status(StatusCode.ResourceExhausted, e.Message),
        InvalidOperationException or NotSupportedException => Status(StatusCode.FailedPrecondition, e.Message),
        _ => Status(StatusCode.Internal, "internal error; the server log has the details."),
    };

    private static RpcException Status(StatusCode code, string detail) => new(new Status(code, detail));

    /// <summary>ArgumentException appends " (Parameter 'x')"; the detail already names the field.</summary>
    internal static string WithoutParameterSuffix(Exception e)
    {
        string message = e.Message;
        int suffix = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        string trimmed = suffix > 0 ? message[..suffix] : message;
        return e is ArgumentOutOfRangeException { ActualValue: { } actual } && !trimmed.Contains(actual.ToString()!, StringComparison.Ordinal)
            ? $"{trimmed} (got {actual})"
            : trimmed;
    }
}

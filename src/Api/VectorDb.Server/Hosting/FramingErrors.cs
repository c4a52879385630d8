using Grpc.Core;

namespace VectorDb.Server.Hosting;

/// <summary>
/// Gives request bodies whose gRPC framing is broken (a length prefix longer than the body, a second message in a
/// unary call, a compressed flag without grpc-encoding, a flag byte other than 0 or 1) InvalidArgument instead of the
/// Internal or Unknown that grpc-dotnet reports for them.
/// <para>Why a middleware: grpc-dotnet reads a unary request before any interceptor, and answers these with a
/// trailers-only response (status in the headers). The headers can still be changed when the response starts. Unknown
/// "Exception was thrown by handler." is rewritten only in a trailers-only response: every exception from a method
/// becomes a specific status in <see cref="Interceptors.ErrorMappingInterceptor"/> and unparsable messages in
/// <see cref="ParseFailures"/>, so what is left there is grpc-dotnet's own reading of the request.</para>
/// <para>In client-streaming calls the same errors surface inside the method and are mapped by
/// <see cref="Interceptors.ErrorMappingInterceptor"/> through <see cref="IsClientFraming"/>.</para>
/// </summary>
public static class FramingErrors
{
    /// <summary>grpc-dotnet's details (Internal) for framing a client got wrong.</summary>
    private static readonly HashSet<string> s_internalDetails = new(StringComparer.Ordinal)
    {
        "Incomplete message.",
        "Additional data after the message received.",
        "Request did not include grpc-encoding value with compressed message.",
    };

    private const string UnknownHandlerDetail = "Exception was thrown by handler.";

    /// <summary>True for grpc-dotnet's statuses for a request body framed wrongly by the client.</summary>
    public static bool IsClientFraming(Status status) => status.StatusCode == StatusCode.Internal && s_internalDetails.Contains(status.Detail);

    /// <summary>True for the exception grpc-dotnet's request reader throws for a flag byte other than 0 or 1
    /// (InvalidDataException from Grpc.AspNetCore.Server; other InvalidDataExceptions are not the client's).</summary>
    public static bool IsFromGrpcReader(Exception e) =>
        e is InvalidDataException && e.TargetSite?.DeclaringType?.FullName?.StartsWith("Grpc.AspNetCore.Server.", StringComparison.Ordinal) == true;

    /// <summary>The detail sent instead.</summary>
    public static string Describe(string grpcDetail) =>
        $"the request body is not a valid sequence of gRPC messages (5-byte prefix: flag 0 or 1, big-endian length; then that many bytes): {grpcDetail}";

    public static void Use(WebApplication app) => app.Use((context, next) =>
    {
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            context.Response.OnStarting(() =>
            {
                Rewrite(context.Response.Headers);
                return Task.CompletedTask;
            });
        }
        return next(context);
    });

    private static void Rewrite(IHeaderDictionary headers)
    {
        if (!headers.TryGetValue("grpc-status", out var code))
        {
            return; // not trailers-only: the call is under way, its status comes in the trailers
        }
        string detail = Uri.UnescapeDataString(headers["grpc-message"].ToString());
        bool framing = (code == ((int)StatusCode.Internal).ToString(System.Globalization.CultureInfo.InvariantCulture) && s_internalDetails.Contains(detail))
            || (code == ((int)StatusCode.Unknown).ToString(System.Globalization.CultureInfo.InvariantCulture) && detail == UnknownHandlerDetail);
        if (framing)
        {
            headers["grpc-status"] = ((int)StatusCode.InvalidArgument).ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["grpc-message"] = Uri.EscapeDataString(Describe(detail == UnknownHandlerDetail ? "bad message prefix" : detail));
        }
    }
}

using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace VectorDb.Server.Security;

/// <summary>
/// The gRPC method a call was routed to, as its canonical full name (e.g. <c>/vectordb.v1.Points/Upsert</c>).
/// <para>Why not <see cref="ServerCallContext.Method"/>: in grpc-dotnet that is the raw request path, and ASP.NET
/// routing matches paths case-insensitively and ignores a trailing '/', so <c>/vectordb.v1.points/upsert/</c> runs
/// Upsert while its raw path names no known method. Decisions (authorisation) and labels (metrics, logs) must use the
/// endpoint routing resolved, which is the method that actually runs.</para>
/// </summary>
public static class ResolvedMethod
{
    /// <summary>The routed method's full name, or null when the call was not routed to a gRPC method.</summary>
    public static string? FullName(ServerCallContext context) =>
        context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.FullName;

    /// <summary>The routed method's full name, or a fixed placeholder: never the raw path (unbounded label values).</summary>
    public static string Label(ServerCallContext context) => FullName(context) ?? "unresolved";
}

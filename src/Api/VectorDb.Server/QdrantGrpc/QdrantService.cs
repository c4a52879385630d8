using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using VectorDb.Server.Rest;
using Q = Qdrant.Client.Grpc;

namespace VectorDb.Server.QdrantGrpc;

/// <summary>Qdrant's <c>qdrant.Qdrant</c> service: the health check (open without an API key, like the standard
/// health service), answering the Qdrant API version this server follows.</summary>
internal sealed class QdrantService
{
    public const string ServiceName = "qdrant.Qdrant";

    public Task<Q.HealthCheckReply> HealthCheck(Q.HealthCheckRequest request, ServerCallContext context) =>
        Task.FromResult(new Q.HealthCheckReply { Title = RestApi.Title, Version = RestApi.QdrantApiVersion });

    /// <summary>Binds <c>qdrant.Qdrant/HealthCheck</c>.</summary>
    internal sealed class Methods : IServiceMethodProvider<QdrantService>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<QdrantService> context) =>
            new QdrantServiceMethods<QdrantService>(ServiceName, context).Unary("HealthCheck", Q.HealthCheckRequest.Parser, (s, r, c) => s.HealthCheck(r, c));
    }
}

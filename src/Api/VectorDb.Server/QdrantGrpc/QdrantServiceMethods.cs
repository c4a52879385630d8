using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace VectorDb.Server.QdrantGrpc;

/// <summary>
/// Binds server methods to Qdrant's gRPC contract. The message types are the ones generated from Qdrant's .proto
/// files that ship in the <c>Qdrant.Client</c> package (<c>Qdrant.Client.Grpc.*</c>, public parsers); that package
/// has client stubs only, so the method descriptors (service and method names, marshallers) are made here and bound
/// through grpc-dotnet's <see cref="IServiceMethodProvider{TService}"/>.
/// <para>Why the package's types rather than a copy of Qdrant's .proto files compiled here: one contract, exactly the
/// one Qdrant's own .NET client speaks (no copy to keep in step, no second set of <c>Qdrant.Client.Grpc</c> types to
/// clash with the client's in the tests), and the pinned package version names the Qdrant API version served.</para>
/// <para>Every method of the three services is bound: those VectorDb serves to the handlers, the rest to an answer
/// with status Unimplemented that names the method (instead of grpc-dotnet's anonymous "Method is unimplemented").
/// Request parsing is guarded as for vectordb.v1 (<see cref="Hosting.ParseFailures"/>); the interceptors (API keys,
/// error mapping, metrics) apply to these methods as to every other.</para>
/// </summary>
internal sealed class QdrantServiceMethods<TService>(string serviceName, ServiceMethodProviderContext<TService> context)
    where TService : class
{
    /// <summary>The raw bytes of a method VectorDb does not serve (never parsed).</summary>
    private static readonly Marshaller<byte[]> s_bytes = Marshallers.Create(bytes => bytes, bytes => bytes);

    /// <summary>Binds <paramref name="name"/> to <paramref name="handler"/>.</summary>
    public void Unary<TRequest, TResponse>(string name, MessageParser<TRequest> parser,
        Func<TService, TRequest, ServerCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var method = new Method<TRequest, TResponse>(MethodType.Unary, serviceName, name, Marshaller(parser), Marshaller<TResponse>());
        context.AddUnaryMethod(Hosting.ParseFailures.Guard(method), [], (service, request, call) => handler(service, request, call));
    }

    /// <summary>Binds each of <paramref name="names"/> to an Unimplemented answer naming it.</summary>
    public void Unsupported(params string[] names)
    {
        foreach (string name in names)
        {
            string detail = $"{serviceName}/{name} is not supported by VectorDb's Qdrant-compatible API (docs/api.md lists what is served).";
            var method = new Method<byte[], byte[]>(MethodType.Unary, serviceName, name, s_bytes, s_bytes);
            context.AddUnaryMethod(method, [], (_, _, _) => throw new RpcException(new Status(StatusCode.Unimplemented, detail)));
        }
    }

    private static Marshaller<T> Marshaller<T>(MessageParser<T>? parser = null) where T : class, IMessage<T> => new(
        (message, serialization) =>
        {
            serialization.SetPayloadLength(message.CalculateSize());
            var writer = serialization.GetBufferWriter();
            message.WriteTo(writer);
            serialization.Complete();
        },
        deserialization => parser is null
            ? throw new InvalidOperationException($"{typeof(T).Name} is only sent, never received.")
            : parser.ParseFrom(deserialization.PayloadAsReadOnlySequence()));
}

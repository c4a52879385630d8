using System.Text;
using Google.Protobuf;
using Grpc.Core;
using VectorDb.Api.V1;

namespace VectorDb.Server.Hosting;

/// <summary>
/// Makes request messages that protobuf cannot parse (garbage bytes, nesting deeper than protobuf's recursion limit
/// of 100, invalid UTF-8 in a string field) fail with InvalidArgument and a message, instead of Unknown.
/// <para>Why here: grpc-dotnet parses a unary request before any interceptor runs and reports any non-RpcException
/// from the parser as Unknown ("Exception was thrown by handler"). The services are therefore bound (through their
/// <see cref="BindServiceMethodAttribute"/>, which grpc-dotnet looks up on the service class first) with the
/// generated method descriptors, each request marshaller wrapped so that a parse failure becomes an
/// <see cref="RpcException"/> with InvalidArgument, which grpc-dotnet passes through unchanged.</para>
/// </summary>
public static class ParseFailures
{
    /// <summary>Binds vectordb.v1.Points. grpc-dotnet calls this with a null service and resolves each handler by
    /// name on the service class, accepting only overrides of methods declared by this parameter's type (the
    /// generated base class), hence that type here rather than <see cref="Services.PointsService"/>.</summary>
    public static void BindPoints(ServiceBinderBase binder, Points.PointsBase service) =>
        Points.BindService(new GuardingBinder(binder), service);

    /// <summary>Binds vectordb.v1.Collections (as <see cref="BindPoints"/>).</summary>
    public static void BindCollections(ServiceBinderBase binder, Collections.CollectionsBase service) =>
        Collections.BindService(new GuardingBinder(binder), service);

    /// <summary><paramref name="method"/> with its request marshaller guarded.</summary>
    public static Method<TRequest, TResponse> Guard<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class where TResponse : class =>
        new(method.Type, method.ServiceName, method.Name, Guard(method.RequestMarshaller, method.FullName), method.ResponseMarshaller);

    private static Marshaller<T> Guard<T>(Marshaller<T> inner, string method) =>
        new(inner.ContextualSerializer, context => Deserialize(inner, context, method));

    private static T Deserialize<T>(Marshaller<T> inner, DeserializationContext context, string method)
    {
        try
        {
            return inner.ContextualDeserializer(context);
        }
        catch (DecoderFallbackException)
        {
            throw Refused(method, "a string field is not valid UTF-8");
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Refused(method, e.Message);
        }
    }

    private static RpcException Refused(string method, string reason) =>
        new(new Status(StatusCode.InvalidArgument, $"the request message of {method} cannot be parsed as protobuf: {reason}"));

    /// <summary>Forwards every method to the real binder with its request marshaller guarded.</summary>
    private sealed class GuardingBinder(ServiceBinderBase inner) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            inner.AddMethod(Guard(method), handler);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            inner.AddMethod(Guard(method), handler);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            inner.AddMethod(Guard(method), handler);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            inner.AddMethod(Guard(method), handler);
    }
}

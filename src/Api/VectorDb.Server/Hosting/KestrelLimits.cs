using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace VectorDb.Server.Hosting;

/// <summary>Applies <see cref="ConnectionLimits"/> and the message size limit to Kestrel, for every endpoint
/// (including Kestrel:Endpoints from configuration).</summary>
public static class KestrelLimits
{
    /// <summary>Bytes a gRPC message adds to its body: 1 compressed flag + 4 length bytes.</summary>
    private const int GrpcFramePrefixBytes = 5;

    /// <summary>Sets the limits; <paramref name="endpointDefaults"/> runs for every endpoint after the handshake gate
    /// is added (Kestrel keeps one endpoint-defaults action, so both must be set here together).</summary>
    public static void Apply(KestrelServerOptions kestrel, ConnectionLimits limits, int maxMessageBytes, Action<ListenOptions> endpointDefaults)
    {
        var k = kestrel.Limits;
        k.MaxConcurrentConnections = limits.MaxConnections;
        // No endpoint upgrades connections (no WebSockets): refuse upgrades outright.
        k.MaxConcurrentUpgradedConnections = 0;
        k.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds);
        k.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
        k.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalBytes;
        // Kestrel's own default (30,000,000 bytes) is below the documented 64 MiB message limit, and a body it refuses
        // reaches the client as UNKNOWN. One unary message may fill the body; larger messages are refused by gRPC
        // from their length prefix with RESOURCE_EXHAUSTED (streaming calls lift this limit per call anyway).
        k.MaxRequestBodySize = (long)maxMessageBytes + GrpcFramePrefixBytes;
        k.Http2.MaxStreamsPerConnection = limits.MaxStreamsPerConnection;
        k.Http2.MaxRequestHeaderFieldSize = limits.MaxRequestHeaderFieldBytes;
        k.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(limits.KeepAlivePingDelaySeconds);
        k.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(limits.KeepAlivePingTimeoutSeconds);
        var handshake = TimeSpan.FromSeconds(limits.HandshakeTimeoutSeconds);
        kestrel.ConfigureEndpointDefaults(listen =>
        {
            HandshakeGate.Use(listen, limits.EffectiveMaxHandshakes, handshake);
            endpointDefaults(listen);
        });
    }
}

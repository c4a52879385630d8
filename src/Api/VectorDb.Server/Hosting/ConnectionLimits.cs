namespace VectorDb.Server.Hosting;

/// <summary>
/// Connection-level limits (configuration section <c>VectorDb:Connections</c>), applied to Kestrel by
/// <see cref="KestrelLimits"/>. They bound what a client can hold without sending a valid request: silent or idle
/// sockets, streams, header bytes. Times are in seconds, sizes in bytes.
/// </summary>
public sealed class ConnectionLimits
{
    /// <summary>Open connections per listening endpoint; further ones are accepted and closed at once (Kestrel's
    /// MaxConcurrentConnections). Each idle HTTP/2 connection costs Kestrel tens of KB, so 1000 bounds that to tens of MB.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>A new connection must send its first bytes (HTTP/2 preface, TLS ClientHello) within this time, or it is
    /// closed (<see cref="HandshakeGate"/>).</summary>
    public double HandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>Connections per endpoint that may wait for their first bytes at once (they count towards
    /// <see cref="MaxConnections"/>; at most half of it is used, see <see cref="EffectiveMaxHandshakes"/>); one more
    /// evicts the oldest waiting one, so silent sockets cannot fill the cap.</summary>
    public int MaxHandshakes { get; set; } = 256;

    /// <summary><see cref="MaxHandshakes"/>, capped at half of <see cref="MaxConnections"/> (at least 1) so that silent
    /// sockets always leave room for connections that speak.</summary>
    public int EffectiveMaxHandshakes => Math.Min(MaxHandshakes, Math.Max(1, MaxConnections / 2));

    /// <summary>A connection with no request in flight is closed after this time (Kestrel's KeepAliveTimeout; HTTP/2
    /// gets a GOAWAY first and clients reconnect on their next call).</summary>
    public double KeepAliveTimeoutSeconds { get; set; } = 60;

    /// <summary>Time to receive a request's headers once it starts (Kestrel's RequestHeadersTimeout).</summary>
    public double RequestHeadersTimeoutSeconds { get; set; } = 10;

    /// <summary>HTTP/2 keep-alive ping: after this long without frames from a client the server pings it, and closes
    /// the connection when no answer comes within <see cref="KeepAlivePingTimeoutSeconds"/> (dead peers with
    /// calls still open).</summary>
    public double KeepAlivePingDelaySeconds { get; set; } = 60;

    /// <summary>See <see cref="KeepAlivePingDelaySeconds"/>.</summary>
    public double KeepAlivePingTimeoutSeconds { get; set; } = 20;

    /// <summary>Concurrent HTTP/2 streams (calls) per connection; further ones are refused with REFUSED_STREAM.</summary>
    public int MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>Largest single request header (HTTP/2 field, after HPACK decoding).</summary>
    public int MaxRequestHeaderFieldBytes { get; set; } = 16 * 1024;

    /// <summary>Largest total of a request's headers.</summary>
    public int MaxRequestHeadersTotalBytes { get; set; } = 32 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is not positive.</summary>
    public void Validate()
    {
        Positive(MaxConnections, nameof(MaxConnections));
        Positive(HandshakeTimeoutSeconds, nameof(HandshakeTimeoutSeconds));
        Positive(MaxHandshakes, nameof(MaxHandshakes));
        Positive(KeepAliveTimeoutSeconds, nameof(KeepAliveTimeoutSeconds));
        Positive(RequestHeadersTimeoutSeconds, nameof(RequestHeadersTimeoutSeconds));
        Positive(KeepAlivePingDelaySeconds, nameof(KeepAlivePingDelaySeconds));
        Positive(KeepAlivePingTimeoutSeconds, nameof(KeepAlivePingTimeoutSeconds));
        Positive(MaxStreamsPerConnection, nameof(MaxStreamsPerConnection));
        Positive(MaxRequestHeaderFieldBytes, nameof(MaxRequestHeaderFieldBytes));
        Positive(MaxRequestHeadersTotalBytes, nameof(MaxRequestHeadersTotalBytes));
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentException($"{ServerOptions.Section}:Connections:{name} must be a positive finite number (got {value}).");
        }
    }
}

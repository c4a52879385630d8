using VectorDb.Server.Hosting;

namespace VectorDb.Server;

/// <summary>
/// The server's configuration section "VectorDb" (appsettings.json, environment variables VectorDb__*, or the command
/// line: --VectorDb:ApiKey=...). <c>--data-dir</c> is a shortcut for <see cref="DataDirectory"/>.
/// </summary>
public sealed class ServerOptions
{
    public const string Section = "VectorDb";

    /// <summary>Default listening address (loopback only; expose it deliberately with --urls).</summary>
    public const string DefaultUrls = "http://127.0.0.1:6334";

    /// <summary>Default address of the REST API (HTTP/1.1: Qdrant's REST API, health probes and GET /metrics), where
    /// Qdrant serves REST.</summary>
    public const string DefaultRestUrls = "http://127.0.0.1:6333";

    /// <summary>Where the REST API is served (one URL or several separated by ';', each with an explicit port;
    /// HTTP/1.1: Prometheus and REST clients cannot use the HTTP/2-only gRPC port without TLS). Empty disables it.
    /// Shortcut: <c>--rest-urls</c>. Ignored when Kestrel:Endpoints is configured (add an endpoint there).</summary>
    public string RestUrls { get; set; } = DefaultRestUrls;

    /// <summary>Where Qdrant's gRPC API (qdrant.Collections, qdrant.Points, qdrant.Qdrant) is served. Empty (the
    /// default): on the gRPC URLs (<c>--urls</c>, 6334 by default), beside vectordb.v1, where Qdrant's clients look
    /// for it. Otherwise one URL or several separated by ';', each with an explicit port (HTTP/2), and then each API
    /// answers only on its own ports (vectordb.v1 on <c>--urls</c>, Qdrant's here). Shortcut:
    /// <c>--qdrant-grpc-urls</c>. Ignored when Kestrel:Endpoints is configured (both are served on every endpoint).</summary>
    public string QdrantGrpcUrls { get; set; } = "";

    /// <summary>When API keys are configured, /metrics requires one (a read-only key suffices) unless this is true.
    /// See <see cref="Hosting.MetricsAuthorization"/>.</summary>
    public bool MetricsAnonymous { get; set; }

    /// <summary>Where the collections live (default ./data).</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>A read-write API key (shorthand for one entry of <see cref="ReadWriteApiKeys"/>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>A read-only API key (shorthand for one entry of <see cref="ReadOnlyApiKeys"/>).</summary>
    public string? ReadOnlyApiKey { get; set; }

    /// <summary>Keys allowed to call every method.</summary>
    public List<string> ReadWriteApiKeys { get; set; } = [];

    /// <summary>Keys allowed to call read methods only (get, list, count, search); writes get PermissionDenied.</summary>
    public List<string> ReadOnlyApiKeys { get; set; } = [];

    /// <summary>Largest gRPC message accepted, in bytes (larger ones get ResourceExhausted). Kestrel's request body
    /// limit follows it (<see cref="KestrelLimits"/>).</summary>
    public int MaxMessageBytes { get; set; } = 64 << 20;

    /// <summary>Connection limits and timeouts (section VectorDb:Connections).</summary>
    public ConnectionLimits Connections { get; set; } = new();

    /// <summary>Exact re-scoring on a CUDA GPU: auto (when one is present), off, or required (refuse to start
    /// without one). Shortcut: <c>--gpu</c>. See <see cref="GpuScoring"/>.</summary>
    public string Gpu { get; set; } = "auto";

    /// <summary>Cluster mode (section VectorDb:Cluster; <c>--cluster</c> and its shortcuts): docs/cluster.md.</summary>
    public Clustering.ClusterModeOptions Cluster { get; set; } = new();

    /// <summary>Request limits (batch size, k, dimension, payload size).</summary>
    public EngineLimits Limits { get; set; } = new();

    /// <summary>Every configured read-write key.</summary>
    public IEnumerable<string> AllReadWriteKeys =>
        ReadWriteApiKeys.Concat(ApiKey is { Length: > 0 } key ? [key] : []).Where(k => k.Length > 0);

    /// <summary>Every configured read-only key.</summary>
    public IEnumerable<string> AllReadOnlyKeys =>
        ReadOnlyApiKeys.Concat(ReadOnlyApiKey is { Length: > 0 } key ? [key] : []).Where(k => k.Length > 0);
}

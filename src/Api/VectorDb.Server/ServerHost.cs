using System.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using VectorDb.Server.Clustering;
using VectorDb.Server.Hosting;
using Grpc.AspNetCore.Server.Model;
using Microsoft.Extensions.DependencyInjection.Extensions;
using VectorDb.Server.Interceptors;
using VectorDb.Server.QdrantGrpc;
using VectorDb.Server.Security;
using VectorDb.Server.Services;
using VectorDb.Server.Telemetry;

namespace VectorDb.Server;

/// <summary>
/// The VectorDb server: opens the database in the data directory, then serves Qdrant's REST API on the REST port (see
/// Rest.RestApi) and, over gRPC, vectordb.v1 (Collections, Points), Qdrant's gRPC API (qdrant.Collections,
/// qdrant.Points, qdrant.Qdrant; see QdrantGrpc), gRPC server reflection, the standard health service and Prometheus
/// metrics (GET /metrics on the REST port).
/// <para>With <c>--cluster</c> (<see cref="ClusterModeOptions"/>) the server is a cluster node: an Orleans silo in this
/// process keeps its shards in this database and vectordb.v1 and Qdrant's APIs are routed through the cluster (Clustering/ClusterSilo;
/// docs/cluster.md). Without it no cluster code runs.</para>
/// <para>Lifecycle: <see cref="RunAsync"/> serves until Ctrl-C / SIGTERM, then stops accepting calls, lets calls in
/// flight finish, and closes the database with a final checkpoint. Tests use <see cref="StartAsync"/> and
/// <see cref="DisposeAsync"/> instead.</para>
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    /// <summary>Health service name that is NOT_SERVING while any collection is damaged.</summary>
    public const string CollectionsHealthService = "vectordb.collections";

    private bool _disposed;

    private readonly ILogger _logger;

    private ServerHost(WebApplication app, VectorDatabase database, ILogger logger, bool clusterMode)
    {
        App = app;
        Database = database;
        _logger = logger;
        ClusterNode = clusterMode;
    }

    /// <summary>Whether this server runs a cluster silo (<c>--cluster</c>; docs/cluster.md).</summary>
    public bool ClusterNode { get; }

    /// <summary>The silo's address in cluster mode once started (Orleans' parsable form), else null.</summary>
    public string? SiloAddress => ClusterNode ? ClusterSilo.Address(App.Services) : null;

    public WebApplication App { get; }

    public VectorDatabase Database { get; }

    /// <summary>The addresses Kestrel listens on (after start).</summary>
    public IReadOnlyCollection<string> Urls => App.Urls.ToArray();

    /// <summary>
    /// Builds the server from command-line arguments and configuration: <c>--urls</c> (default
    /// <see cref="ServerOptions.DefaultUrls"/>), <c>--data-dir</c> (default ./data), and the "VectorDb" section
    /// (<see cref="ServerOptions"/>). Opens the database (rebuilding every collection) before returning.
    /// </summary>
    public static async Task<ServerHost> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        args = ClusterModeOptions.ExpandFlag(args);
        // Content root = the program's folder, so appsettings.json is found wherever the server is started from;
        // relative data directories still resolve against the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
        {
            ["--data-dir"] = $"{ServerOptions.Section}:DataDirectory",
            ["--gpu"] = $"{ServerOptions.Section}:Gpu",
            ["--rest-urls"] = $"{ServerOptions.Section}:RestUrls",
            ["--qdrant-grpc-urls"] = $"{ServerOptions.Section}:QdrantGrpcUrls",
        }.Concat(ClusterModeOptions.Shortcuts).ToDictionary());
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        builder.Services.Configure<ServerOptions>(builder.Configuration.GetSection(ServerOptions.Section));
        if (options.MaxMessageBytes <= 0)
        {
            throw new ArgumentException($"{ServerOptions.Section}:MaxMessageBytes must be positive (got {options.MaxMessageBytes}).");
        }
        options.Connections.Validate();
        options.Cluster.Validate(builder.Configuration.GetSection($"{ServerOptions.Section}:Cluster").GetChildren().Any(c => c.Key != nameof(ClusterModeOptions.Enabled)));
        if (builder.Configuration[$"{ServerOptions.Section}:MetricsUrl"] is not null)
        {
            throw new ArgumentException(
                $"{ServerOptions.Section}:MetricsUrl was replaced by {ServerOptions.Section}:RestUrls (--rest-urls): /metrics is served on the REST port.");
        }
        var ports = ConfigureEndpoints(builder, options);
        var restPorts = ports.Rest;

        long start = Stopwatch.GetTimestamp();
        var gpu = GpuScoring.FromMode(options.Gpu);
        var database = await VectorDatabase.OpenAsync(options.DataDirectory,
            new DatabaseOptions { Limits = options.Limits, ExactScorerFactory = gpu.Factory });
        try
        {
            builder.Services.AddSingleton(database);
            builder.Services.AddSingleton(gpu);
            builder.Services.AddSingleton<ServerMetrics>();
            builder.Services.AddSingleton<ApiKeys>();
            builder.Services.AddSingleton<ApiKeyInterceptor>();
            if (options.Cluster.Enabled)
            {
                ClusterSilo.Add(builder, options.Cluster, database); // its ICollectionStore: the cluster
            }
            else
            {
                builder.Services.AddSingleton<Backend.ICollectionStore>(new Backend.LocalCollectionStore(database));
            }
            builder.Services.AddGrpc(grpc =>
            {
                grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
                grpc.MaxSendMessageSize = null;
                grpc.EnableDetailedErrors = false;
                grpc.Interceptors.Add<ErrorMappingInterceptor>(); // outermost: sees auth failures too
                grpc.Interceptors.Add<ApiKeyInterceptor>();
                if (options.Cluster.Enabled)
                {
                    ClusterSilo.AddInterceptor(grpc); // innermost: the cluster's exceptions
                }
            });
            builder.Services.AddGrpcReflection();
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<QdrantCollectionsService>, QdrantCollectionsService.Methods>());
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<QdrantPointsService>, QdrantPointsService.Methods>());
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<QdrantService>, QdrantService.Methods>());
            // The server ("") is SERVING while it serves; service "vectordb.collections" is NOT_SERVING while a
            // collection is damaged (refused with DATA_LOSS), so a probe of the server does not take down the
            // collections that are healthy.
            builder.Services.AddGrpcHealthChecks(health =>
                {
                    health.Services.Map("", result => result.Name == "database");
                    health.Services.Map(CollectionsHealthService, result => result.Name == "collections");
                })
                .AddCheck("database", () => HealthCheckResult.Healthy())
                .AddCheck("collections", () => database.DamagedCollections is { Count: > 0 } damaged
                    ? HealthCheckResult.Unhealthy($"damaged collections (refused with DATA_LOSS): {string.Join(", ", damaged.Keys)}")
                    : HealthCheckResult.Healthy());
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(ServerMetrics.MeterName, GpuScoring.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddPrometheusExporter());

            var app = builder.Build();
            FramingErrors.Use(app);
            if (restPorts.Count > 0)
            {
                MetricsAuthorization.Use(app, restPorts, app.Services.GetRequiredService<ApiKeys>(), options.MetricsAnonymous);
                Rest.RestApi.Map(app, restPorts, app.Services.GetRequiredService<ApiKeys>(), app.Services.GetRequiredService<ServerMetrics>());
            }
            // With dedicated Qdrant ports each API answers only on its own ports; otherwise both share the gRPC ports.
            string[] qdrantHosts = [.. ports.Qdrant.Select(port => $"*:{port}")];
            string[] grpcHosts = [.. ports.Grpc.Select(port => $"*:{port}")];
            if (options.Cluster.Enabled)
            {
                ClusterSilo.MapServices(app, grpcHosts);
            }
            else
            {
                OnPorts(app.MapGrpcService<CollectionsService>(), grpcHosts);
                OnPorts(app.MapGrpcService<PointsService>(), grpcHosts);
            }
            OnPorts(app.MapGrpcService<QdrantCollectionsService>(), qdrantHosts);
            OnPorts(app.MapGrpcService<QdrantPointsService>(), qdrantHosts);
            OnPorts(app.MapGrpcService<QdrantService>(), qdrantHosts);
            app.MapGrpcReflectionService();
            app.MapGrpcHealthChecksService();
            if (restPorts.Count > 0)
            {
                app.MapPrometheusScrapingEndpoint().RequireHost([.. restPorts.Select(port => $"*:{port}")]);
            }

            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VectorDb.Server");
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            int collections = database.ListCollections().Count;
            Log.DatabaseOpened(logger, database.DataDirectory, collections, seconds);
            foreach (var (name, damage) in database.DamagedCollections)
            {
                Log.CollectionDamaged(logger, name, damage.Reason);
            }
            string exactScoring = gpu.Describe();
            Log.ExactScoring(logger, exactScoring);
            if (!app.Services.GetRequiredService<ApiKeyInterceptor>().Enabled)
            {
                Log.NoApiKeys(logger);
            }
            _ = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value; // fail fast on bad configuration
            return new ServerHost(app, database, logger, options.Cluster.Enabled);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>The ports of each API; empty Grpc and Qdrant sets mean "every HTTP/2 endpoint".</summary>
    private sealed record EndpointPorts(HashSet<int> Rest, HashSet<int> Grpc, HashSet<int> Qdrant);

    internal static void OnPorts(IEndpointConventionBuilder endpoints, string[] hosts)
    {
        if (hosts.Length > 0)
        {
            endpoints.RequireHost(hosts);
        }
    }

    /// <summary>
    /// Listens on the gRPC URLs (--urls, default <see cref="ServerOptions.DefaultUrls"/>) with HTTP/2 only (gRPC over
    /// cleartext needs prior-knowledge HTTP/2; Kestrel cannot offer both protocols on one cleartext port), on
    /// <see cref="ServerOptions.RestUrls"/> with HTTP/1.1, and on <see cref="ServerOptions.QdrantGrpcUrls"/> (when set)
    /// with HTTP/2. Kestrel:Endpoints configuration (e.g. for TLS) replaces these URLs. Connection limits apply either way.
    /// </summary>
    private static EndpointPorts ConfigureEndpoints(WebApplicationBuilder builder, ServerOptions options)
    {
        var none = new EndpointPorts([], [], []);
        if (builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.ConfigureKestrel(kestrel => KestrelLimits.Apply(kestrel, options.Connections, options.MaxMessageBytes, _ => { }));
            return none;
        }
        string urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } given ? given : ServerOptions.DefaultUrls;
        var restPorts = Ports(options.RestUrls, "RestUrls", "use an empty value to disable REST and metrics");
        var qdrantPorts = Ports(options.QdrantGrpcUrls, "QdrantGrpcUrls", "use an empty value to serve Qdrant's gRPC API on the gRPC URLs");
        var grpcPorts = qdrantPorts.Count == 0 ? [] : Ports(urls, "--urls", "give each gRPC URL its port");
        if (grpcPorts.Overlaps(qdrantPorts) || restPorts.Overlaps(qdrantPorts) || restPorts.Overlaps(grpcPorts))
        {
            throw new ArgumentException("--urls, VectorDb:RestUrls and VectorDb:QdrantGrpcUrls must use different ports.");
        }
        foreach (string extra in (string[])[options.RestUrls, options.QdrantGrpcUrls])
        {
            if (extra.Trim().Length > 0)
            {
                urls += ";" + extra;
            }
        }
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(kestrel => KestrelLimits.Apply(kestrel, options.Connections, options.MaxMessageBytes,
            listen => listen.Protocols = listen.IPEndPoint is { } endpoint && restPorts.Contains(endpoint.Port) ? HttpProtocols.Http1 : HttpProtocols.Http2));
        return new EndpointPorts(restPorts, grpcPorts, qdrantPorts);
    }

    /// <summary>The ports of a ';'-separated URL list, each of which must name its port.</summary>
    private static HashSet<int> Ports(string urls, string what, string hint)
    {
        var ports = new HashSet<int>();
        foreach (string url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Port <= 0)
            {
                throw new ArgumentException($"{(what.StartsWith('-') ? what : $"{ServerOptions.Section}:{what}")} entry '{url}' is not a URL with an explicit port (e.g. http://127.0.0.1:6333); {hint}.");
            }
            ports.Add(uri.Port);
        }
        return ports;
    }

    /// <summary>Starts listening (returns once the server accepts calls).</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => App.StartAsync(cancellationToken);

    /// <summary>Serves until the host is asked to stop (Ctrl-C, SIGTERM), then closes the database.</summary>
    public async Task RunAsync()
    {
        await App.StartAsync();
        await App.WaitForShutdownAsync();
        await DisposeAsync();
    }

    /// <summary>Stops listening (calls in flight finish), then checkpoints and closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        var logger = _logger;
        try
        {
            await App.StopAsync();
        }
        catch (OperationCanceledException)
        {
            // already stopped
        }
        Log.ShuttingDown(logger, Database.DataDirectory);
        long start = Stopwatch.GetTimestamp();
        try
        {
            await Database.DisposeAsync();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            Log.DatabaseClosed(logger, seconds);
        }
        catch (AggregateException e)
        {
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            Log.FinalCheckpointFailed(logger, seconds, e);
        }
        await App.DisposeAsync();
    }
}

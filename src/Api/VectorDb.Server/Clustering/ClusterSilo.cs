using Orleans.Configuration;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Hosting;
using VectorDb.Cluster.Membership;
using VectorDb.Engine;

namespace VectorDb.Server.Clustering;

/// <summary>
/// Cluster mode inside the server (<c>--cluster</c>): an Orleans silo in the server's process holding its shards in the
/// server's database, vectordb.v1 and Qdrant's REST and gRPC APIs routed through the cluster coordinator. The
/// server's own plumbing (connection limits, API keys, error statuses, metrics, health, reflection) stays as on a
/// single node. Only <see cref="ServerHost"/> calls this, and only with cluster mode on: a single-node server never
/// runs code that names an Orleans type, so it loads no Orleans assembly.
/// </summary>
internal static class ClusterSilo
{
    /// <summary>Adds the silo (membership and map storage: files in the shared folder, or Redis with
    /// <c>--membership redis</c>; the shards in <paramref name="database"/>) and the cluster's gRPC services and
    /// interceptor.</summary>
    public static void Add(WebApplicationBuilder builder, ClusterModeOptions options, VectorDatabase database)
    {
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Orleans", LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            if (options.UsesRedis)
            {
                // Production: Orleans' membership table and the maps in Redis, silos on any machine (docs/cluster.md).
                silo.UseVectorDbRedisClustering(System.Net.IPAddress.Parse(options.SiloAddress), options.SiloPort, options.GatewayPort, options.Redis,
                    serviceId: "vectordb", clusterId: options.ClusterId);
                silo.AddVectorDbRedisMapStorage(options.Redis);
            }
            else
            {
                // The membership table and the maps in the shared folder: any silo may die, the others go on.
                silo.UseLocalFileClustering(options.SiloPort, options.GatewayPort, options.SharedDirectory, serviceId: "vectordb", clusterId: options.ClusterId);
                silo.AddVectorDbFileMapStorage(options.SharedDirectory);
            }
            // Loopback timing: a silo that misses three 2-second probes is suspected, and declared dead once two silos
            // agree (1 s and two probes declared live silos dead on a 2-core machine at load average 100+; a declared
            // silo stops).
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 3;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            });
            // Orleans' default 30 s: a loaded machine can take over 10 s to create a collection's shards or apply a
            // batch durably.
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(30));
            silo.AddVectorDbCluster(database, o => o.ReReplicationGrace = TimeSpan.FromSeconds(options.GraceSeconds));
            if (options.TlsCertificate.Length > 0)
            {
                silo.UseVectorDbTls(ClusterTls.Load(options.TlsCertificate, options.TlsCertificatePassword));
            }
        });
        builder.Services.AddSingleton(new ClusterApiOptions(options.Shards, options.Replicas,
            Enum.Parse<WriteConsistency>(options.Consistency, ignoreCase: true)));
        builder.Services.AddSingleton<Backend.ICollectionStore, ClusterCollectionStore>();
    }

    /// <summary>The innermost gRPC interceptor of cluster mode.</summary>
    public static void AddInterceptor(Grpc.AspNetCore.Server.GrpcServiceOptions grpc) => grpc.Interceptors.Add<ClusterErrorsInterceptor>();

    /// <summary>vectordb.v1 through the cluster.</summary>
    public static void MapServices(WebApplication app, string[] hosts)
    {
        ServerHost.OnPorts(app.MapGrpcService<ClusterCollectionsService>(), hosts);
        ServerHost.OnPorts(app.MapGrpcService<ClusterPointsService>(), hosts);
    }

    /// <summary>This silo's address (Orleans' parsable form), once started.</summary>
    public static string Address(IServiceProvider services) =>
        services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();
}

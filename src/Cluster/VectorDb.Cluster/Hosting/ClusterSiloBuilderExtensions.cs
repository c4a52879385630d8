using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using VectorDb.Cluster.Placement;
using VectorDb.Cluster.Storage;
using VectorDb.Engine;

namespace VectorDb.Cluster.Hosting;

/// <summary>Adds VectorDb's cluster mode to an Orleans silo.</summary>
public static class ClusterSiloBuilderExtensions
{
    /// <summary>
    /// Shards in <paramref name="dataDirectory"/> (this silo's own disk), shard maps and the catalog in the grain
    /// storage named <see cref="ClusterStorage.Name"/>, replica grains pinned to their silo, and the supervisor.
    /// </summary>
    /// <param name="silo">The silo being built (clustering is configured by the caller).</param>
    /// <param name="dataDirectory">This silo's data folder (one per silo: one volume per pod on Kubernetes).</param>
    /// <param name="configure">Timing options.</param>
    public static ISiloBuilder AddVectorDbCluster(this ISiloBuilder silo, string dataDirectory, Action<ClusterSiloOptions>? configure = null) =>
        silo.AddVectorDbCluster(_ => new LocalShards(dataDirectory), configure);

    /// <summary>As <see cref="AddVectorDbCluster(ISiloBuilder, string, Action{ClusterSiloOptions})"/>, with the shards in
    /// a database the host opened (and closes): the server in cluster mode.</summary>
    /// <param name="silo">The silo being built (clustering is configured by the caller).</param>
    /// <param name="database">The open database in this silo's data folder.</param>
    /// <param name="configure">Timing options.</param>
    public static ISiloBuilder AddVectorDbCluster(this ISiloBuilder silo, VectorDatabase database, Action<ClusterSiloOptions>? configure = null) =>
        silo.AddVectorDbCluster(_ => LocalShards.Of(database), configure);

    private static ISiloBuilder AddVectorDbCluster(this ISiloBuilder silo, Func<IServiceProvider, LocalShards> shards, Action<ClusterSiloOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton(shards);
        silo.Services.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        silo.Services.AddOptions<ClusterSiloOptions>().Configure(o => configure?.Invoke(o));
        silo.Services.AddHostedService<ShardSupervisor>();
        silo.Services.AddVectorDbExceptions();
        return silo;
    }

    /// <summary>Lets VectorDb's exceptions (the engine's and the cluster's) cross silos and reach Orleans clients with
    /// their types, so a refused request keeps its meaning (Orleans otherwise passes only System/Microsoft/Orleans
    /// exception types). Silos get it from <see cref="AddVectorDbCluster(ISiloBuilder, string, Action{ClusterSiloOptions})"/>; an Orleans client calls it itself.</summary>
    public static IServiceCollection AddVectorDbExceptions(this IServiceCollection services) =>
        services.Configure<Orleans.Serialization.ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("VectorDb"));

    /// <summary>Grain storage for the maps in a folder every silo of a one-machine cluster shares (the local cluster and
    /// tests). Production registers a database-backed provider under <see cref="ClusterStorage.Name"/> instead.</summary>
    public static ISiloBuilder AddVectorDbFileMapStorage(this ISiloBuilder silo, string sharedDirectory)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddGrainStorage(ClusterStorage.Name, (services, _) =>
            new FileGrainStorage(sharedDirectory, services.GetRequiredService<IGrainStorageSerializer>()));
        return silo;
    }
}

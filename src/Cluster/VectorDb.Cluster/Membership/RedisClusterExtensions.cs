using System.Net;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;
using StackExchange.Redis;

namespace VectorDb.Cluster.Membership;

/// <summary>
/// Production membership and map storage on Redis (Orleans' own providers, <c>Microsoft.Orleans.Clustering.Redis</c> and
/// <c>Microsoft.Orleans.Persistence.Redis</c>): silos on several machines find each other through Orleans' membership
/// table in Redis, and the shard maps and the catalog live in Redis under the grain storage name
/// <see cref="ClusterStorage.Name"/>. Orleans' Redis storage keeps an ETag with each state and refuses a write whose
/// ETag is stale, which the map's compare-and-swap relies on.
/// </summary>
public static class RedisClusterExtensions
{
    /// <summary>This silo on <paramref name="address"/> (<paramref name="siloPort"/> for silos,
    /// <paramref name="gatewayPort"/> for clients), Orleans' membership table in the Redis of
    /// <paramref name="redis"/> (a StackExchange.Redis configuration string, e.g. <c>host:6379,password=...</c>).</summary>
    public static ISiloBuilder UseVectorDbRedisClustering(this ISiloBuilder silo, IPAddress address, int siloPort, int gatewayPort, string redis,
        string serviceId, string clusterId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(redis);
        silo.ListenOn(address, siloPort, gatewayPort, serviceId, clusterId);
        return silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
    }

    /// <summary>The shard maps and the catalog in the Redis of <paramref name="redis"/>.</summary>
    public static ISiloBuilder AddVectorDbRedisMapStorage(this ISiloBuilder silo, string redis)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(redis);
        return silo.AddRedisGrainStorage(ClusterStorage.Name, o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
    }
}

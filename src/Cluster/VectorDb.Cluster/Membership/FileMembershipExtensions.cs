using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace VectorDb.Cluster.Membership;

/// <summary>Clustering for several silo processes on one machine without a single point of failure.</summary>
public static class FileMembershipExtensions
{
    /// <summary>
    /// This silo listens on 127.0.0.1 (<paramref name="siloPort"/> for silos, <paramref name="gatewayPort"/> for
    /// clients) and keeps Orleans' membership table in a file of <paramref name="sharedDirectory"/>, which every silo of
    /// the cluster shares (<see cref="FileMembershipTable"/>). Clients connect with a static gateway list
    /// (<c>UseLocalhostClustering(gatewayPorts, ...)</c>).
    /// </summary>
    public static ISiloBuilder UseLocalFileClustering(this ISiloBuilder silo, int siloPort, int gatewayPort, string sharedDirectory,
        string serviceId, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.ListenOn(IPAddress.Loopback, siloPort, gatewayPort, serviceId, clusterId);
        silo.Services.AddSingleton<IMembershipTable>(services => ActivatorUtilities.CreateInstance<FileMembershipTable>(services, sharedDirectory));
        return silo;
    }
}

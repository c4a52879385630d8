using System.Net;
using Orleans.Configuration;

namespace VectorDb.Cluster.Membership;

/// <summary>Where a silo listens and what it advertises, shared by every membership provider.</summary>
internal static class SiloEndpoints
{
    /// <summary>Silo-to-silo traffic on <paramref name="siloPort"/> and Orleans clients on <paramref name="gatewayPort"/>,
    /// both on <paramref name="address"/> (listened on and advertised to the other silos), in cluster
    /// <paramref name="clusterId"/> of service <paramref name="serviceId"/>.</summary>
    public static ISiloBuilder ListenOn(this ISiloBuilder silo, IPAddress address, int siloPort, int gatewayPort, string serviceId, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = address;
            o.SiloPort = siloPort;
            o.GatewayPort = gatewayPort;
            o.SiloListeningEndpoint = new IPEndPoint(address, siloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(address, gatewayPort);
        });
        silo.Configure<ClusterOptions>(o =>
        {
            o.ServiceId = serviceId;
            o.ClusterId = clusterId;
        });
        return silo;
    }
}

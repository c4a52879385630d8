using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using VectorDb.Cluster.Host;
using VectorDb.Cluster.Hosting;

SiloArguments arguments;
try
{
    arguments = SiloArguments.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(SiloArguments.Usage);
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("VectorDb", LogLevel.Information);
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(arguments.SiloPort, arguments.GatewayPort, new IPEndPoint(IPAddress.Loopback, arguments.PrimaryPort),
        serviceId: "vectordb", clusterId: arguments.ClusterId);
    // Loopback timing: a silo that misses two 1-second probes is suspected, and declared dead once two silos agree.
    silo.Configure<ClusterMembershipOptions>(o =>
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(1);
        o.NumMissedProbesLimit = 2;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
    });
    silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
    silo.AddVectorDbCluster(arguments.DataDirectory, o => o.ReReplicationGrace = arguments.ReReplicationGrace);
    silo.AddVectorDbFileMapStorage(arguments.SharedDirectory);
});
using var host = builder.Build();
await host.StartAsync();
var details = host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>();
Console.WriteLine($"silo ready {details.SiloAddress.ToParsableString()}");
await host.WaitForShutdownAsync();
return 0;

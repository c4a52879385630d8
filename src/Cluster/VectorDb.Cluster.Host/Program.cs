using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orleans.Configuration;
using VectorDb.Cluster.Host;
using VectorDb.Cluster.Host.GrpcApi;
using VectorDb.Cluster.Hosting;
using VectorDb.Cluster.Membership;
using VectorDb.Server;
using VectorDb.Server.Interceptors;
using VectorDb.Server.Security;

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

// A web host only when the gRPC API is asked for; otherwise a plain generic host (no Kestrel).
IHostApplicationBuilder builder = arguments.GrpcPort > 0
    ? WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory })
    : Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("VectorDb", LogLevel.Information);
builder.UseOrleans(silo =>
{
    if (arguments.PrimaryPort is { } primary)
    {
        silo.UseLocalhostClustering(arguments.SiloPort, arguments.GatewayPort, new IPEndPoint(IPAddress.Loopback, primary),
            serviceId: "vectordb", clusterId: arguments.ClusterId);
    }
    else
    {
        // The membership table in the shared folder: any silo may die, the others go on (docs/cluster.md).
        silo.UseLocalFileClustering(arguments.SiloPort, arguments.GatewayPort, arguments.SharedDirectory, serviceId: "vectordb", clusterId: arguments.ClusterId);
    }
    // Loopback timing: a silo that misses three 2-second probes is suspected, and declared dead once two silos agree
    // (1 s and two probes declared live silos dead on a 2-core machine at load average 100+; a declared silo stops).
    silo.Configure<ClusterMembershipOptions>(o =>
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(2);
        o.NumMissedProbesLimit = 3;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
    });
    // Orleans' default 30 s: a loaded machine can take over 10 s to create a collection's shards or apply a batch durably.
    silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(30));
    silo.AddVectorDbCluster(arguments.DataDirectory, o => o.ReReplicationGrace = arguments.ReReplicationGrace);
    silo.AddVectorDbFileMapStorage(arguments.SharedDirectory);
});

if (builder is WebApplicationBuilder web)
{
    ServeApi(web, arguments);
}
using var host = builder is WebApplicationBuilder webBuilder ? MapApi(webBuilder.Build()) : ((HostApplicationBuilder)builder).Build();
await host.StartAsync();
var details = host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>();
Console.WriteLine($"silo ready {details.SiloAddress.ToParsableString()}");
await host.WaitForShutdownAsync();
return 0;

// The single-node server's gRPC plumbing (HTTP/2 on 127.0.0.1, API keys, error statuses, parse-failure guards) with
// the cluster's services behind it.
static void ServeApi(WebApplicationBuilder web, SiloArguments arguments)
{
    var section = web.Configuration.GetSection(ServerOptions.Section);
    var options = section.Get<ServerOptions>() ?? new ServerOptions();
    web.Services.Configure<ServerOptions>(section);
    web.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, arguments.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2));
    web.Services.AddSingleton(new ClusterApiOptions(arguments.Shards, arguments.Replicas, arguments.Consistency));
    web.Services.AddSingleton<ApiKeys>();
    web.Services.AddSingleton<ApiKeyInterceptor>();
    web.Services.AddGrpc(grpc =>
    {
        grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
        grpc.MaxSendMessageSize = null;
        grpc.EnableDetailedErrors = false;
        grpc.Interceptors.Add<ClusterErrorsInterceptor>(); // outermost: sees auth failures too
        grpc.Interceptors.Add<ApiKeyInterceptor>();
    });
}

static WebApplication MapApi(WebApplication app)
{
    app.MapGrpcService<ClusterCollectionsService>();
    app.MapGrpcService<ClusterPointsService>();
    return app;
}

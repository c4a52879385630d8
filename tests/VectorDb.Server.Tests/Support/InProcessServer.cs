using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Net.Sockets;
using VectorDb.Client;
using VectorDb.Server;

namespace VectorDb.Tests.Support;

/// <summary>A real Kestrel server (the production <see cref="ServerHost"/>) on loopback, with its data in a temp
/// directory. Dispose stops it (final checkpoint) and deletes the data.
/// <para>Ports: gRPC listens on port 0 and the port Kestrel bound is read back, so no other process can take it
/// first. The REST port must be known before the start (the server routes REST by port number), so it is picked
/// free and the start retried with another one if something took it in between.</para></summary>
public sealed class InProcessServer : IAsyncDisposable
{
    /// <summary>Starts tried with a fresh REST port before giving up; each failure means another process bound the
    /// port picked a moment before.</summary>
    private const int BindAttempts = 5;

    private readonly TempDirectory? _ownedDirectory;

    private InProcessServer(ServerHost host, string address, string? restAddress, string dataDirectory, TempDirectory? owned)
    {
        Host = host;
        Address = address;
        RestAddress = restAddress;
        DataDirectory = dataDirectory;
        _ownedDirectory = owned;
    }

    public ServerHost Host { get; }

    /// <summary>http://127.0.0.1:port of the gRPC endpoint.</summary>
    public string Address { get; }

    /// <summary>http://127.0.0.1:port of the REST API and /metrics; null unless started with rest.</summary>
    public string? RestAddress { get; }

    public string DataDirectory { get; }

    /// <summary>Starts a server. <paramref name="settings"/> are configuration keys such as "VectorDb:ApiKey";
    /// "VectorDb:RestUrls" is set by <paramref name="rest"/> (REST and /metrics on a free port, see
    /// <see cref="RestAddress"/>; off otherwise).</summary>
    /// <param name="settings">Configuration keys and values.</param>
    /// <param name="dataDirectory">The data directory; a fresh temp directory, deleted on dispose, when null.</param>
    /// <param name="rest">Whether to serve REST and /metrics.</param>
    public static async Task<InProcessServer> StartAsync(IDictionary<string, string?>? settings = null, string? dataDirectory = null,
        bool rest = false)
    {
        if (settings?.ContainsKey("VectorDb:RestUrls") == true)
        {
            throw new ArgumentException("pass rest: true instead of VectorDb:RestUrls (the harness picks the port)", nameof(settings));
        }
        TempDirectory? owned = dataDirectory is null ? new TempDirectory("vectordb-server") : null;
        string data = dataDirectory ?? owned!.Path;
        for (int attempt = 1; ; attempt++)
        {
            string? restAddress = rest ? $"http://127.0.0.1:{FreePort()}" : null;
            var config = new Dictionary<string, string?> { ["VectorDb:RestUrls"] = restAddress ?? "" };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                config[key] = value;
            }
            var host = await ServerHost.CreateAsync(["--urls", "http://127.0.0.1:0", "--data-dir", data],
                builder =>
                {
                    builder.Configuration.AddInMemoryCollection(config);
                    builder.Logging.SetMinimumLevel(LogLevel.Warning);
                });
            try
            {
                await host.StartAsync();
            }
            catch (IOException e) when (e.InnerException is AddressInUseException && restAddress is not null && attempt < BindAttempts)
            {
                await host.DisposeAsync();
                continue;
            }
            catch
            {
                await host.DisposeAsync();
                owned?.Dispose();
                throw;
            }
            return new InProcessServer(host, GrpcAddress(host, restAddress), restAddress, data, owned);
        }
    }

    /// <summary>The address Kestrel bound for gRPC: the one of its addresses that is not the REST one.</summary>
    private static string GrpcAddress(ServerHost host, string? restAddress)
    {
        var bound = host.App.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        return bound.Single(address => restAddress is null || new Uri(address).Port != new Uri(restAddress).Port);
    }

    public VectorDbClient Client(string? apiKey = null) => new(Address, apiKey);

    /// <summary>A free loopback TCP port below the ephemeral range (<see cref="TestPorts"/>), for a server that must be
    /// told its port before it starts, or as an address where nothing is meant to listen.</summary>
    public static int FreePort() => TestPorts.One();

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _ownedDirectory?.Dispose();
    }
}

using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using System.Net.Sockets;
using VectorDb.Client;
using VectorDb.Server;

namespace VectorDb.Api.Tests.Support;

/// <summary>A real Kestrel server (the production <see cref="ServerHost"/>) listening on a free loopback port, with its
/// data in a temp directory. Dispose stops it (final checkpoint) and deletes the data.</summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly TempDirectory? _ownedDirectory;

    private InProcessServer(ServerHost host, string address, string dataDirectory, TempDirectory? owned)
    {
        Host = host;
        Address = address;
        DataDirectory = dataDirectory;
        _ownedDirectory = owned;
    }

    public ServerHost Host { get; }

    /// <summary>http://127.0.0.1:port of the gRPC endpoint.</summary>
    public string Address { get; }

    public string DataDirectory { get; }

    /// <summary>Starts a server. <paramref name="settings"/> are configuration keys such as "VectorDb:ApiKey".
    /// Metrics are off unless a "VectorDb:RestUrls" is given.</summary>
    public static async Task<InProcessServer> StartAsync(IDictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        TempDirectory? owned = dataDirectory is null ? new TempDirectory("vectordb-server") : null;
        string data = dataDirectory ?? owned!.Path;
        int port = FreePort();
        var config = new Dictionary<string, string?> { ["VectorDb:RestUrls"] = "" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }
        var host = await ServerHost.CreateAsync(["--urls", $"http://127.0.0.1:{port}", "--data-dir", data],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(config);
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
            });
        await host.StartAsync();
        return new InProcessServer(host, $"http://127.0.0.1:{port}", data, owned);
    }

    public VectorDbClient Client(string? apiKey = null) => new(Address, apiKey);

    /// <summary>A loopback TCP port that was free a moment ago (the OS picks it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _ownedDirectory?.Dispose();
    }
}

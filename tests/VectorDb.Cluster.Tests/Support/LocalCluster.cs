using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VectorDb.Tests.Support;
using VectorDb.Cluster.Hosting;

namespace VectorDb.Cluster.Tests.Support;

/// <summary>
/// A real cluster on 127.0.0.1: N silo processes (the built server with --cluster), each with its own data folder, sharing one
/// folder for the membership table and the shard maps, and an Orleans client in this process. <see cref="Kill"/> is kill -9.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly TempDirectory _root = new("vectordb-cluster");
    private readonly List<SiloProcess> _silos = [];
    private readonly List<Func<SiloProcess>> _starts = [];
    private IHost? _client;

    private LocalCluster() { }

    public IClusterClient Client => _client!.Services.GetRequiredService<IClusterClient>();

    public IReadOnlyList<SiloProcess> Silos => _silos;

    /// <summary>Starts <paramref name="count"/> silos (membership in a file of the shared folder: none of them holds
    /// it) and a client.</summary>
    /// <param name="count">Silos.</param>
    /// <param name="reReplicationGrace">Wait before a lost replica is re-created elsewhere.</param>
    /// <param name="extraArguments">More server options for every silo.</param>
    /// <param name="environment">Environment variables of every silo (API keys: VectorDb__ApiKey).</param>
    /// <param name="configureClient">More configuration of the test's Orleans client (TLS).</param>
    /// <param name="sharedFolder">Pass <c>--shared-dir</c> (file membership); false when <paramref name="extraArguments"/>
    /// choose another membership.</param>
    public static async Task<LocalCluster> StartAsync(int count, TimeSpan reReplicationGrace, string[]? extraArguments = null,
        IReadOnlyDictionary<string, string>? environment = null, Action<IClientBuilder>? configureClient = null, bool sharedFolder = true)
    {
        var cluster = new LocalCluster();
        try
        {
            int[] ports = FreePorts(4 * count);
            string clusterId = $"test-{Guid.NewGuid():N}";
            for (int i = 0; i < count; i++)
            {
                int index = i;
                cluster._starts.Add(() => SiloProcess.Start(index, ports[4 * index], ports[(4 * index) + 1], ports[(4 * index) + 2], ports[(4 * index) + 3],
                    cluster._root.Path, reReplicationGrace, clusterId,
                    [.. sharedFolder ? ["--shared-dir", Path.Combine(cluster._root.Path, "shared")] : Array.Empty<string>(), .. extraArguments ?? []],
                    environment ?? new Dictionary<string, string>()));
                var silo = cluster._starts[i]();
                cluster._silos.Add(silo);
                if (i == 0)
                {
                    await silo.Ready; // the first creates the membership table; the others then join at once
                }
            }
            await Task.WhenAll(cluster._silos.Select(s => s.Ready));
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Error); // a killed silo makes the client log connection warnings by design
            builder.UseOrleansClient(c =>
            {
                c.UseLocalhostClustering([.. cluster._silos.Select(s => s.GatewayPort)], "vectordb", clusterId);
                configureClient?.Invoke(c);
            });
            builder.Services.AddVectorDbExceptions();
            cluster._client = builder.Build();
            await cluster._client.StartAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Silo <paramref name="index"/>'s data folder (<c>--data-dir</c>; kept across restarts).</summary>
    public string DataDirectory(int index) => Path.Combine(_root.Path, $"silo{index}");

    /// <summary>kill -9 of silo <paramref name="index"/>.</summary>
    public void Kill(int index) => _silos[index].Kill();

    /// <summary>Starts silo <paramref name="index"/> again (after <see cref="Kill"/>) on its ports and data folder: a new
    /// incarnation, with a new silo address, which it returns once it serves.</summary>
    public async Task<string> RestartAsync(int index)
    {
        _silos[index].Kill();
        _silos[index].Dispose();
        _silos[index] = _starts[index]();
        return await _silos[index].Ready;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            try
            {
                await _client.StopAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is OperationCanceledException or Orleans.Runtime.OrleansException)
            {
                // the silos may be gone already
            }
            _client.Dispose();
        }
        foreach (var silo in _silos)
        {
            silo.Kill();
            silo.Dispose();
        }
        _root.Dispose();
    }

    /// <summary>Free loopback ports for silos and servers (<see cref="TestPorts"/>: below the ephemeral range, so no
    /// outgoing connection takes one before the silo binds it).</summary>
    public static int[] FreePorts(int count) => TestPorts.Free(count);
}

/// <summary>One silo child process; its output is kept for failure messages.</summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(Process process, int siloPort, int gatewayPort, int grpcPort, int restPort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        GrpcPort = grpcPort;
        RestPort = restPort;
    }

    /// <summary>The server's REST port (in cluster mode: health probes, /metrics, 501 for Qdrant's REST API).</summary>
    public int RestPort { get; }

    /// <summary>The process id (its /proc entry names the assemblies it mapped).</summary>
    public int ProcessId => _process.Id;

    public int GatewayPort { get; }

    /// <summary>Silo-to-silo port on 127.0.0.1.</summary>
    public int SiloPort { get; }

    /// <summary>Port of the silo's vectordb.v1 gRPC API on 127.0.0.1.</summary>
    public int GrpcPort { get; }

    /// <summary>The gRPC API's address, for <c>VectorDbClient</c>.</summary>
    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";

    /// <summary>CPU time the silo process has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The silo's address (SiloAddress.ToParsableString) once it serves.</summary>
    public Task<string> Ready => _ready.Task.WaitAsync(TimeSpan.FromSeconds(90));

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the server in cluster mode (<c>--cluster</c>), as docs/cluster.md starts a node.</summary>
    public static SiloProcess Start(int index, int siloPort, int gatewayPort, int grpcPort, int restPort, string root, TimeSpan grace, string clusterId,
        IEnumerable<string> extraArguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            BuiltServerDll(), "--cluster", "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}",
            "--urls", $"http://127.0.0.1:{grpcPort}", "--rest-urls", $"http://127.0.0.1:{restPort}",
            "--data-dir", Path.Combine(root, $"silo{index}"),
            "--grace-seconds", grace.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--cluster-id", clusterId,
        }.Concat(extraArguments))
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var silo = new SiloProcess(Process.Start(start)!, siloPort, gatewayPort, grpcPort, restPort);
        silo._process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        silo._process.EnableRaisingEvents = true;
        silo._process.Exited += (_, _) => silo._ready.TrySetException(new InvalidOperationException($"silo {index} exited:\n{silo.Output}"));
        return silo;
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(); // SIGKILL on Linux: no shutdown, no final checkpoint
            _process.WaitForExit();
        }
    }

    public void Dispose() => _process.Dispose();

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        const string Marker = "silo ready ";
        if (line.StartsWith(Marker, StringComparison.Ordinal))
        {
            _ready.TrySetResult(line[Marker.Length..].Trim());
        }
    }

    /// <summary>artifacts/bin/VectorDb.Server/&lt;configuration&gt;/VectorDb.Server.dll, beside this test's folder.</summary>
    public static string BuiltServerDll()
    {
        string testDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string path = Path.GetFullPath(Path.Combine(testDirectory, "..", "..", "VectorDb.Server", Path.GetFileName(testDirectory), "VectorDb.Server.dll"));
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; build the solution first.");
    }
}

using System.Diagnostics;
using System.Text;
using VectorDb.Server.Hosting;

namespace VectorDb.Tests.Support;

/// <summary>The built server as a child process on loopback (for faults that are process faults: a crash, a full
/// disk, a flood of connections), its console output kept for assertions. Dispose kills it (SIGKILL) if it still runs.
/// <para>Ports: gRPC listens on port 0 and the port is read from the server's <c>listening on</c> line, so no other
/// process can take it first. REST and a separate Qdrant gRPC port must be known before the start (the server routes
/// by port number): they are picked free, and the start is retried with other ports when the server exits because
/// something took one in between (exit code 3).</para></summary>
internal sealed class ServerChild : IDisposable
{
    private const string ReadyMarker = "listening on ";

    /// <summary>Starts tried before giving up on "address in use".</summary>
    private const int BindAttempts = 5;

    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerChild(Process process)
    {
        Process = process;
    }

    public Process Process { get; }

    /// <summary>http://127.0.0.1:port of the gRPC endpoint (vectordb.v1, and Qdrant's gRPC API unless started with
    /// its own port).</summary>
    public string Address { get; private set; } = "";

    public int Port => new Uri(Address).Port;

    /// <summary>http://127.0.0.1:port of the REST API and /metrics; null unless started with rest.</summary>
    public string? RestAddress { get; private set; }

    /// <summary>Port of Qdrant's gRPC API on its own URL; null unless started with qdrantGrpc.</summary>
    public int? QdrantPort { get; private set; }

    /// <summary>Everything the server printed so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Starts the server and waits (up to 60 s) until it prints that it listens.</summary>
    /// <param name="dataDirectory">The server's data directory.</param>
    /// <param name="rest">Whether to serve the REST API and /metrics (<see cref="RestAddress"/>).</param>
    /// <param name="qdrantGrpc">Whether to serve Qdrant's gRPC API on its own port (<see cref="QdrantPort"/>); the
    /// gRPC port is then fixed before the start too (the server needs explicit ports to tell the APIs apart).</param>
    /// <param name="extraArgs">More command-line settings (e.g. "--VectorDb:Connections:MaxConnections=200"); later
    /// ones override earlier ones.</param>
    public static async Task<ServerChild> StartAsync(string dataDirectory, bool rest = false, bool qdrantGrpc = false,
        IEnumerable<string>? extraArgs = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            string grpc = $"http://127.0.0.1:{(qdrantGrpc ? InProcessServer.FreePort() : 0)}";
            string? restAddress = rest ? $"http://127.0.0.1:{InProcessServer.FreePort()}" : null;
            int? qdrantPort = qdrantGrpc ? InProcessServer.FreePort() : null;
            var process = ChildProcesses.Start(ChildProcesses.ServerDll,
                ["--urls", grpc, "--data-dir", dataDirectory, $"--VectorDb:RestUrls={restAddress}",
                    $"--VectorDb:QdrantGrpcUrls={(qdrantPort is { } q ? $"http://127.0.0.1:{q}" : "")}",
                    "--Logging:Console:FormatterName=simple", .. extraArgs ?? []]);
            var child = new ServerChild(process) { RestAddress = restAddress, QdrantPort = qdrantPort };
            process.OutputDataReceived += (_, e) => child.Append(e.Data);
            process.ErrorDataReceived += (_, e) => child.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var exited = process.WaitForExitAsync(hangGuard.Token);
            await Task.WhenAny(child._ready.Task, exited);
            if (child._ready.Task.IsCompleted)
            {
                var bound = (await child._ready.Task).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                child.Address = qdrantGrpc ? grpc : bound.Single(url => restAddress is null || new Uri(url).Port != new Uri(restAddress).Port);
                return child;
            }
            bool portTaken = exited.IsCompletedSuccessfully && process.ExitCode == StartupErrors.AddressUnavailable;
            string output = child.Output;
            child.Dispose();
            if (portTaken && (rest || qdrantGrpc) && attempt < BindAttempts)
                continue;
            throw new InvalidOperationException(
                $"the server did not start ({(exited.IsCompletedSuccessfully ? $"exit code {process.ExitCode}" : "no ready line within 60 s")}); its output:\n{output}");
        }
    }

    /// <summary>SIGTERM (a normal shutdown: final checkpoint), then waits up to 60 s for the exit.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Process.WaitForExitAsync(timeout.Token);
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
        if (line.StartsWith(ReadyMarker, StringComparison.Ordinal))
            _ready.TrySetResult(line[ReadyMarker.Length..]);
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }
        Process.Dispose();
    }
}

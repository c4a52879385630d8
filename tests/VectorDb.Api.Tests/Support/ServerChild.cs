using System.Diagnostics;
using System.Text;
using Grpc.Core;
using VectorDb.Client;

namespace VectorDb.Api.Tests.Support;

/// <summary>The built server as a child process on a free loopback port (for faults that are process faults: a crash,
/// a full disk, a flood of connections), its console output kept for assertions. Dispose kills it (SIGKILL) if it
/// still runs.</summary>
internal sealed class ServerChild : IDisposable
{
    private readonly StringBuilder _output = new();

    private ServerChild(Process process, string address)
    {
        Process = process;
        Address = address;
    }

    public Process Process { get; }

    public string Address { get; }

    public int Port => new Uri(Address).Port;

    /// <summary>Everything the server printed so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Starts the server and waits (up to 60 s) until it answers.</summary>
    /// <param name="dataDirectory">The server's data directory.</param>
    /// <param name="restUrls">Where to serve the REST API and /metrics; none when null.</param>
    /// <param name="extraArgs">More command-line settings (e.g. "--VectorDb:Connections:MaxConnections=200"); later
    /// ones override earlier ones.</param>
    public static async Task<ServerChild> StartAsync(string dataDirectory, string? restUrls = null, IEnumerable<string>? extraArgs = null)
    {
        string address = $"http://127.0.0.1:{InProcessServer.FreePort()}";
        var process = ChildProcesses.Start(ChildProcesses.ServerDll,
            ["--urls", address, "--data-dir", dataDirectory, $"--VectorDb:RestUrls={restUrls}", "--Logging:Console:FormatterName=simple",
                .. extraArgs ?? []]);
        var child = new ServerChild(process, address);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var probe = new VectorDbClient(address);
        var giveUp = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await probe.ListCollectionsAsync();
                return child;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                return child; // it answers: started with API keys, which the probe does not send
            }
            catch (RpcException) when (DateTime.UtcNow < giveUp && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (RpcException e)
            {
                child.Dispose();
                throw new InvalidOperationException($"the server did not start ({e.Status}); its output:\n{child.Output}", e);
            }
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

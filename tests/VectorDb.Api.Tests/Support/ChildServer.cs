using System.Diagnostics;
using Grpc.Core;
using VectorDb.Client;

namespace VectorDb.Api.Tests.Support;

/// <summary>The built server as a child process on a free loopback port (for faults that are process faults: a crash,
/// an exhausted resource). Dispose kills it if it still runs.</summary>
public sealed class ChildServer : IDisposable
{
    private ChildServer(Process process, string address)
    {
        Process = process;
        Address = address;
    }

    public Process Process { get; }

    /// <summary>http://127.0.0.1:port of the gRPC endpoint.</summary>
    public string Address { get; }

    public int Port => new Uri(Address).Port;

    /// <summary>Starts the server on <paramref name="dataDirectory"/> with extra arguments (e.g.
    /// "--VectorDb:Connections:MaxConnections=200"); returns once it answers a call (at most 60 s).</summary>
    public static async Task<ChildServer> StartAsync(string dataDirectory, IEnumerable<string>? extraArgs = null)
    {
        int port = InProcessServer.FreePort();
        string address = $"http://127.0.0.1:{port}";
        var process = ChildProcesses.Start(ChildProcesses.ServerDll,
            ["--urls", address, "--data-dir", dataDirectory, "--VectorDb:MetricsUrl=", "--Logging:LogLevel:Default=Warning", .. extraArgs ?? []]);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new ChildServer(process, address);
        using var probe = new VectorDbClient(address);
        var giveUp = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await probe.ListCollectionsAsync();
                return child;
            }
            catch (RpcException) when (DateTime.UtcNow < giveUp && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
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

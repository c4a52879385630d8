using System.Diagnostics;
using System.Text;
using VectorDb.Tests.Support;

namespace VectorDb.Cluster.Tests.Support;

/// <summary>
/// A real redis-server child process on 127.0.0.1 (a free port, its own temporary folder, nothing saved to disk), for
/// the tests of Redis membership and map storage. Needs no system service: Debian's <c>redis-server</c> package
/// provides the program (.ci/run installs it).
/// </summary>
public sealed class RedisServer : IDisposable
{
    /// <summary>Debian's redis-server.</summary>
    public const string Program = "/usr/bin/redis-server";

    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _output = new();

    private RedisServer(Process process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var directory = new TempDirectory("vectordb-redis");
        int port = LocalCluster.FreePorts(1)[0];
        var start = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--port", $"{port}", "--bind", "127.0.0.1", "--dir", directory.Path, "--save", "", "--appendonly", "no", "--daemonize", "no" })
        {
            start.ArgumentList.Add(arg);
        }
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new RedisServer(Process.Start(start)!, directory, port);
        server._process.OutputDataReceived += (_, e) =>
        {
            lock (server._output)
            {
                server._output.AppendLine(e.Data);
            }
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        server._process.BeginOutputReadLine();
        server._process.EnableRaisingEvents = true;
        server._process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"redis-server exited:\n{server._output}"));
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30)); // hang guard only
        return server;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
        _directory.Dispose();
    }
}

/// <summary>Runs only where redis-server is installed; elsewhere it is skipped with a reason naming the capability,
/// which .ci/run requires (it installs the package first), so CI never skips it.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (!File.Exists(RedisServer.Program))
        {
            Skip = $"needs redis-server: {RedisServer.Program} not found; install Debian's redis-server package (apt-get install redis-server), as .ci/run does.";
        }
    }
}

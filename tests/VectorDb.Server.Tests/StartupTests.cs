using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;
using VectorDb.Client;
using VectorDb.Server.Hosting;

namespace VectorDb.Server.Tests;

/// <summary>Issue 15 point 6: where the data goes, two servers side by side, and start-up errors as one line with a
/// documented exit code (docs/api.md, "gRPC server") instead of an unhandled exception (exit 134).</summary>
public sealed class StartupTests
{
    /// <summary>Runs the built server to its exit (hang guard 2 min); returns its exit code, stdout and stderr.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunServerAsync(params string[] args)
    {
        using var process = ChildProcesses.Start(ChildProcesses.ServerDll, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(hangGuard.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Exactly one line on stderr, "error: ..." containing <paramref name="expected"/>, and no stack frame.</summary>
    private static void AssertOneLineError(string stderr, string expected)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{stderr}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortInUse_OneLineAndExit3()
    {
        using var dir = new TempDirectory();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        int port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var (code, _, stderr) = await RunServerAsync("--urls", $"http://127.0.0.1:{port}", "--data-dir", dir.Path, "--rest-urls", "");
        AssertOneLineError(stderr, $"127.0.0.1:{port}");
        Assert.Equal(StartupErrors.AddressUnavailable, code);
    }

    [Fact]
    public async Task RestPortInUse_OneLineAndExit3()
    {
        using var dir = new TempDirectory();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        int restPort = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var (code, _, stderr) = await RunServerAsync("--urls", "http://127.0.0.1:0", "--data-dir", dir.Path,
            "--rest-urls", $"http://127.0.0.1:{restPort}");
        AssertOneLineError(stderr, $"127.0.0.1:{restPort}");
        Assert.Equal(StartupErrors.AddressUnavailable, code);
    }

    [Fact]
    public async Task BadGpuMode_OneLineAndExit2()
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = await RunServerAsync("--urls", "http://127.0.0.1:0", "--data-dir", dir.Path,
            "--rest-urls", "", "--gpu", "fastest");
        AssertOneLineError(stderr, "'fastest' is not auto, off or required");
        Assert.Equal(StartupErrors.InvalidConfiguration, code);
    }

    [Fact]
    public async Task GpuRequired_WithoutCuda_OneLineAndExit2()
    {
        if (VectorDb.Gpu.ExactScorerFactory.CudaDeviceCount() > 0)
        {
            return; // with CUDA the server starts: GpuScoringTests covers that side
        }
        using var dir = new TempDirectory();
        var (code, _, stderr) = await RunServerAsync("--urls", "http://127.0.0.1:0", "--data-dir", dir.Path,
            "--rest-urls", "", "--gpu", "required");
        AssertOneLineError(stderr, "--gpu required, but no CUDA device was found");
        Assert.Equal(StartupErrors.InvalidConfiguration, code);
    }

    [Fact]
    public async Task DataDirectoryHeldByAnotherServer_OneLineAndExit4()
    {
        using var dir = new TempDirectory();
        using var first = await ServerChild.StartAsync(dir.Path);
        using (var client = new VectorDbClient(first.Address))
        {
            await client.CreateCollectionAsync("held", 4, Distance.Cosine);
        }
        var (code, _, stderr) = await RunServerAsync("--urls", "http://127.0.0.1:0", "--data-dir", dir.Path, "--rest-urls", "");
        AssertOneLineError(stderr, "another --data-dir");
        Assert.Equal(StartupErrors.DataDirectoryInUse, code);
        Assert.False(first.Process.HasExited);
    }

    [Fact]
    public async Task PortZero_ReadyLineNamesTheBoundPort_WhichServes()
    {
        using var dir = new TempDirectory();
        using var server = await ServerChild.StartAsync(dir.Path, rest: true); // --urls http://127.0.0.1:0
        Assert.NotEqual(0, server.Port);
        string line = server.Output.Split('\n').Single(l => l.StartsWith("listening on ", StringComparison.Ordinal)).TrimEnd();
        Assert.Equal(new[] { server.Address, server.RestAddress }.Order(), line["listening on ".Length..].Split(' ').Order());
        using var client = new VectorDbClient(server.Address);
        Assert.Empty(await client.ListCollectionsAsync());
    }

    [Fact]
    public async Task TwoServers_WithTheirOwnUrlsAndRestUrls_BothServe()
    {
        using var dirA = new TempDirectory();
        using var dirB = new TempDirectory();
        using var a = await ServerChild.StartAsync(dirA.Path, rest: true);
        using var b = await ServerChild.StartAsync(dirB.Path, rest: true);
        string restA = a.RestAddress!, restB = b.RestAddress!;
        using (var client = new VectorDbClient(a.Address))
        {
            await client.CreateCollectionAsync("only_a", 4, Distance.Cosine);
        }
        using var http = new HttpClient();
        Assert.Contains("only_a", await http.GetStringAsync($"{restA}/collections"), StringComparison.Ordinal);
        Assert.DoesNotContain("only_a", await http.GetStringAsync($"{restB}/collections"), StringComparison.Ordinal);
        Assert.Contains("# TYPE", await http.GetStringAsync($"{restB}/metrics"), StringComparison.Ordinal);
        using var clientB = new VectorDbClient(b.Address);
        Assert.Empty(await clientB.ListCollectionsAsync());
    }

    [Fact]
    public async Task DotnetRun_RunsTheServerInTheCallersDirectory()
    {
        // What `dotnet run --project src/Api/VectorDb.Server` will use as the current directory, where ./data resolves.
        using var caller = new TempDirectory();
        var start = new ProcessStartInfo("dotnet", ["msbuild", RepositoryFiles.PathOf("src/Api/VectorDb.Server/VectorDb.Server.csproj"),
            "-getProperty:RunWorkingDirectory"])
        { WorkingDirectory = caller.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Equal(Path.GetFullPath(caller.Path).TrimEnd('/'), stdout.Trim().TrimEnd('/'));
        Assert.Equal("./data", new VectorDb.Server.ServerOptions().DataDirectory);
    }

    [Theory]
    [InlineData("data/docs/codes.log")]
    [InlineData("src/Api/VectorDb.Server/data/docs/codes.log")]
    [InlineData("samples/VectorDb.Samples/data/docs/codes.log")]
    public void DataFolders_AreGitIgnored(string path) =>
        // The default ./data of a server or sample started at the root or in a project folder.
        Assert.Equal(0, ChildProcesses.RunTool("git", RepositoryFiles.Root, "check-ignore", "-q", path));
}

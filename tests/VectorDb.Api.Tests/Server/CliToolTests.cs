using System.Diagnostics;
using VectorDb.Api.Tests.Support;

namespace VectorDb.Api.Tests.Server;

/// <summary>Issue 15 point 5: the CLI ships as a .NET tool. The repository's own package (dotnet pack of
/// src/Api/VectorDb.Cli, as README's quick start does) installs with `dotnet tool install` from a local folder only
/// (a nuget.config that clears every other source, an empty package cache) and runs against a server.</summary>
public sealed class CliToolTests
{
    [Fact]
    public async Task PackedTool_InstallsFromALocalFolder_AndTalksToAServer()
    {
        using var work = new TempDirectory("vectordb-tool");
        string feed = Path.Combine(work.Path, "feed");
        string tools = Path.Combine(work.Path, "tools");
        string config = Path.Combine(work.Path, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work.Path, "packages") };
        await RunAsync("dotnet", environment, "pack", RepositoryFiles.PathOf("src/Api/VectorDb.Cli/VectorDb.Cli.csproj"),
            "-c", "Release", "--no-build", "-o", feed);
        Assert.Single(Directory.GetFiles(feed, "VectorDb.Cli.*.nupkg"));
        await RunAsync("dotnet", environment, "tool", "install", "--tool-path", tools, "--configfile", config, "VectorDb.Cli");

        string vectordb = Path.Combine(tools, "vectordb");
        string help = await RunAsync(vectordb, environment, "count", "--help");
        Assert.Contains("count <name>", help, StringComparison.Ordinal);

        await using var server = await InProcessServer.StartAsync();
        await RunAsync(vectordb, environment, "--server", server.Address, "create", "t", "--dim", "2", "--metric", "L2");
        Assert.Equal("0", (await RunAsync(vectordb, environment, "--server", server.Address, "count", "t")).Trim());
    }

    /// <summary>Runs a program to completion (hang guard 5 min) and returns its stdout; a non-zero exit fails the test
    /// with its output.</summary>
    private static async Task<string> RunAsync(string program, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(hangGuard.Token);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        return await stdout;
    }
}

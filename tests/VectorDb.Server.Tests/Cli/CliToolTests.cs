using VectorDb.Tests.Support;

namespace VectorDb.Server.Tests;

/// <summary>Issue 15 point 5: the CLI ships as a .NET tool. The repository's own package (dotnet pack of
/// src/Api/VectorDb.Cli, as README's quick start does) installs with `dotnet tool install` from a local folder only
/// (a nuget.config that clears every other source, an empty package cache) and runs against a server.</summary>
[Collection(PackingCollection.Name)]
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
        await ProgramRuns.RunToSuccessAsync("dotnet", work.Path, environment, "pack", RepositoryFiles.PathOf("src/Api/VectorDb.Cli/VectorDb.Cli.csproj"),
            "-c", "Release", "--no-build", "-o", feed);
        Assert.Single(Directory.GetFiles(feed, "VectorDb.Cli.*.nupkg"));
        await ProgramRuns.RunToSuccessAsync("dotnet", work.Path, environment, "tool", "install", "--tool-path", tools, "--configfile", config, "VectorDb.Cli");

        string vectordb = Path.Combine(tools, "vectordb");
        string help = await ProgramRuns.RunToSuccessAsync(vectordb, work.Path, environment, "count", "--help");
        Assert.Contains("count <name>", help, StringComparison.Ordinal);

        await using var server = await InProcessServer.StartAsync();
        await ProgramRuns.RunToSuccessAsync(vectordb, work.Path, environment, "--server", server.Address, "create", "t", "--dim", "2", "--metric", "L2");
        Assert.Equal("0", (await ProgramRuns.RunToSuccessAsync(vectordb, work.Path, environment, "--server", server.Address, "count", "t")).Trim());
    }
}

using System.Text.RegularExpressions;
using VectorDb.Api.Tests.Support;

namespace VectorDb.Api.Tests.Samples;

/// <summary>samples/VectorDb.Samples is the code README.md and docs/api.md show (issue 15 points 2-4): it compiles
/// with the solution (so an application referencing VectorDb can call <c>.ToListAsync()</c>, CS0121 before), runs
/// here, and every region it marks appears verbatim in the docs.</summary>
public sealed partial class SamplesTests
{
    private static string SamplesDll => ChildProcesses.BuiltDll("VectorDb.Samples", "VectorDb.Samples.dll");

    /// <summary>Runs the samples in <paramref name="workingDirectory"/> (their data goes to ./data there).</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunSampleAsync(string workingDirectory, params string[] args)
    {
        using var process = ChildProcesses.Start(SamplesDll, args, workingDirectory);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(hangGuard.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Embedded_FindsTheFilteredPointWithItsPayload()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = await RunSampleAsync(dir.Path, "embedded");
        Assert.True(code == 0, stderr);
        Assert.True(Directory.Exists(Path.Combine(dir.Path, "data", "docs")), "./data is relative to the current directory");
        Assert.Matches(@"^embedded: 1 0\.9\d\d \{""lang"":""en"",""year"":2024\}\s*$", stdout);
    }

    [Fact]
    public async Task Mevd_OneLinerRunsTwiceInOneProcess_AndSeesTheFirstRoundsRecords()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = await RunSampleAsync(dir.Path, "mevd");
        Assert.True(code == 0, stderr);
        // The filter (category a, year >= 2000) keeps hotel 1 only, in both rounds.
        Assert.Matches(@"^mevd: 1 0\.9\d\d\s+mevd: 1 0\.9\d\d\s*$", stdout);
    }

    [Fact]
    public async Task Client_AgainstARunningServer_SearchesWithPayloads()
    {
        using var dir = new TempDirectory();
        using var server = await ServerChild.StartAsync(dir.Path);
        var (code, stdout, stderr) = await RunSampleAsync(dir.Path, "client", server.Address);
        Assert.True(code == 0, stderr + server.Output);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        // Typed ids print as numbers (raw proto ids printed { "num": "1" }); 185.0 stays a double.
        Assert.Matches(@"^client: 1 0\.9\d\d \{""lang"":""en"",""height"":185\.0\}$", lines[0]);
        Assert.Matches(@"^client: 2 0\.\d\d\d \{""lang"":""fr""\}$", lines[1]);
    }

    public static TheoryData<string> Regions => [.. SampleRegions().Keys];

    [Theory]
    [MemberData(nameof(Regions))]
    public void DocsShowTheSampleRegion_Verbatim(string region)
    {
        string code = SampleRegions()[region];
        string docs = RepositoryFiles.Read("README.md") + RepositoryFiles.Read("docs/api.md");
        Assert.True(docs.Contains(code, StringComparison.Ordinal),
            $"README.md or docs/api.md must show samples region '{region}' as written there:\n{code}");
    }

    [Fact]
    public void SamplesMarkTheDocumentedRegions() =>
        Assert.Equal(["client", "embedded", "mevd"], SampleRegions().Keys.Order(StringComparer.Ordinal));

    /// <summary>Region name -> the file's using directives, a blank line, then the region's lines between
    /// "// --8<-- [start:NAME]" and "// --8<-- [end:NAME]" with their common indentation removed: what a reader
    /// copies must compile, usings included.</summary>
    private static Dictionary<string, string> SampleRegions()
    {
        var regions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(RepositoryFiles.PathOf("samples"), "*.cs", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file).ReplaceLineEndings("\n");
            string usings = string.Join('\n', text.Split('\n').Where(l => l.StartsWith("using ", StringComparison.Ordinal)));
            foreach (Match match in RegionPattern().Matches(text))
            {
                var lines = match.Groups["body"].Value.TrimEnd('\n').Split('\n');
                int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
                regions.Add(match.Groups["name"].Value,
                    usings + "\n\n" + string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())));
            }
        }
        return regions;
    }

    [GeneratedRegex(@"// --8<-- \[start:(?<name>[a-z]+)\]\n(?<body>.*?)^[ \t]*// --8<-- \[end:\k<name>\]", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex RegionPattern();
}

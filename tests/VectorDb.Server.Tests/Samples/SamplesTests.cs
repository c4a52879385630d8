using System.Text.RegularExpressions;
using VectorDb.Tests.Support;

namespace VectorDb.Server.Tests.Samples;

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

    /// <summary>Issue 15 point 3: an application reaches the embedded engine and the MEVD connector through
    /// <c>using VectorDb;</c> and the client through <c>using VectorDb.Client;</c>. The samples live in a namespace of
    /// their own (inside VectorDb.* every VectorDb type would be visible without any using) and declare no global
    /// usings, so this holds only while they compile with these imports alone.</summary>
    [Fact]
    public void SamplesImportOnlyVectorDbAndVectorDbClient()
    {
        string[] allowed = ["VectorDb", "VectorDb.Client", "Microsoft.Extensions.VectorData", "Samples"];
        string folder = RepositoryFiles.PathOf("samples/VectorDb.Samples");
        Assert.DoesNotContain("<Using ", File.ReadAllText(Path.Combine(folder, "VectorDb.Samples.csproj")), StringComparison.Ordinal);
        foreach (string file in Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal)))
        {
            foreach (string line in File.ReadAllLines(file).Select(l => l.Trim()))
            {
                if (line.StartsWith("namespace ", StringComparison.Ordinal))
                {
                    Assert.False(line.StartsWith("namespace VectorDb", StringComparison.Ordinal), $"{file}: {line} (samples must sit outside VectorDb.*)");
                }
                if (line.StartsWith("using ", StringComparison.Ordinal) && !line.StartsWith("using var ", StringComparison.Ordinal) && line.EndsWith(';'))
                {
                    string imported = line["using ".Length..^1].Trim();
                    bool system = imported == "System" || imported.StartsWith("System.", StringComparison.Ordinal);
                    Assert.True(system || allowed.Contains(imported), $"{file}: '{line}' imports a namespace an application should not need");
                }
            }
        }
    }

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

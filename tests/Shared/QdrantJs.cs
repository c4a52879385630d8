using System.Diagnostics;

namespace VectorDb.Tests.Support;

/// <summary>Runs only where node and the pinned client are (or can be) installed (`npm ci` in tests/qdrant-js, which
/// .ci/run does); the skip reason says how.</summary>
public sealed class QdrantJsFactAttribute : FactAttribute
{
    public QdrantJsFactAttribute()
    {
        if (!QdrantJs.Available.Value)
        {
            Skip = "node or @qdrant/js-client-rest unavailable: run `npm ci` in tests/qdrant-js (node ≥ 20).";
        }
    }
}

internal static class QdrantJs
{
    /// <summary>tests/qdrant-js in the source tree.</summary>
    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "qdrant-js");
                if (File.Exists(Path.Combine(candidate, "scenario.mjs")))
                {
                    return candidate;
                }
            }
            throw new DirectoryNotFoundException("tests/qdrant-js not found above the test folder.");
        }
    }

    private static bool Installed => Directory.Exists(Path.Combine(Folder, "node_modules", "@qdrant", "js-client-rest"));

    /// <summary>Probed once per run; runs `npm ci` when node and npm are there but the client is not installed.</summary>
    public static readonly Lazy<bool> Available = new(() => Installed || (ChildProcesses.RunTool("npm", Folder, "ci", "--no-audit", "--no-fund") == 0 && Installed));

    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder };
        start.ArgumentList.Add("scenario.mjs");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

using System.Diagnostics;

namespace VectorDb.Tests.Support;

/// <summary>Runs a program (dotnet pack, dotnet tool install, an installed tool) as a step a test depends on.</summary>
public static class ProgramRuns
{
    /// <summary>Runs <paramref name="program"/> to completion in <paramref name="directory"/> (hang guard 10 min) with
    /// extra environment variables; returns its stdout, or fails the test with its output when it exits non-zero.</summary>
    public static async Task<string> RunToSuccessAsync(string program, string directory, IReadOnlyDictionary<string, string> environment,
        params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(hangGuard.Token);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        return await stdout;
    }
}

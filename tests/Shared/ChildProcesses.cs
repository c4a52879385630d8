using System.Diagnostics;

namespace VectorDb.Tests.Support;

/// <summary>Runs the built server and CLI as separate processes (as users do).</summary>
public static class ChildProcesses
{
    /// <summary>artifacts/bin/&lt;project&gt;/&lt;configuration&gt;/&lt;dll&gt;, next to this test assembly's folder.</summary>
    public static string BuiltDll(string project, string dll)
    {
        string testDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string configuration = Path.GetFileName(testDirectory);
        string path = Path.GetFullPath(Path.Combine(testDirectory, "..", "..", project, configuration, dll));
        Assert.True(File.Exists(path), $"{path} is missing; build the solution first.");
        return path;
    }

    public static string ServerDll => BuiltDll("VectorDb.Server", "VectorDb.Server.dll");

    public static string CliDll => BuiltDll("VectorDb.Cli", "vectordb.dll");

    /// <summary>Runs a tool (an installer, a probe) to completion, its output drained and dropped; returns its exit
    /// code, or -1 when it cannot be started or runs longer than 5 minutes.</summary>
    public static int RunTool(string program, string? workingDirectory, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            using var process = Process.Start(start)!;
            var drainOut = process.StandardOutput.ReadToEndAsync();
            var drainErr = process.StandardError.ReadToEndAsync();
            return process.WaitForExit(TimeSpan.FromMinutes(5)) ? process.ExitCode : -1;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    /// <summary>Starts `dotnet dll args...` with stdout/stderr captured, in <paramref name="workingDirectory"/> (this
    /// process's current directory when null).</summary>
    public static Process Start(string dll, IEnumerable<string> args, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(start)!;
    }

    /// <summary>Runs the CLI to completion; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(params string[] args)
    {
        using var process = Start(CliDll, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}

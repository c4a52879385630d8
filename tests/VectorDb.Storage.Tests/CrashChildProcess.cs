using System.Diagnostics;

namespace VectorDb.Storage.Tests;

/// <summary>
/// Runs the crash child (tests/VectorDb.Storage.CrashChild) until it stops at its crash point and kills it there with
/// SIGKILL. The child prints <c>K point</c> and parks the thread at that point (CrashStop), so the kill lands inside
/// the operation by construction, whatever the machine's speed or load.
/// </summary>
internal static class CrashChildProcess
{
    /// <summary>Bound on one child run. Only a hang guard: an idle machine stops a child within a second or two.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);

    /// <summary>Starts the child with <paramref name="args"/>, returns every line it printed once it has been killed
    /// at <paramref name="point"/>. Fails the test (with the child's last lines and its stderr) if the child exits on
    /// its own or never reaches the point.</summary>
    public static async Task<IReadOnlyList<string>> RunUntilStoppedAsync(IEnumerable<string> args, string point)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(ChildPath());
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        var lines = new List<string>();
        var stopped = new TaskCompletionSource();
        string marker = "K " + point;
        var stderr = child.StandardError.ReadToEndAsync();
        var reader = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                    if (line == marker && !stopped.Task.IsCompleted)
                    {
                        child.Kill(); // SIGKILL on Unix; the child's thread is parked at the point
                        stopped.TrySetResult();
                    }
                }
            }
        });
        await Task.WhenAny(stopped.Task, child.WaitForExitAsync(), Task.Delay(HangGuard));
        bool hung = false;
        lock (lines)
        {
            if (!stopped.Task.IsCompleted && !child.HasExited)
            {
                hung = true;
                child.Kill();
            }
        }
        await child.WaitForExitAsync();
        await reader;
        string errors = await stderr;
        if (!stopped.Task.IsCompleted)
        {
            string why = hung ? $"did not reach it within {HangGuard.TotalMinutes} min" : $"exited on its own with code {child.ExitCode}";
            Assert.Fail($"crash child never stopped at {point}: it {why}. Last lines:\n{string.Join('\n', lines.TakeLast(8))}\nstderr:\n{errors}");
        }
        return lines;
    }

    private static string ChildPath()
    {
        // Artifacts layout: artifacts/bin/<project>/<configuration>/; the child is built next to this test project.
        var testDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var configuration = Path.GetFileName(testDirectory);
        var path = Path.Combine(testDirectory, "..", "..", "VectorDb.Storage.CrashChild", configuration, "VectorDb.Storage.CrashChild.dll");
        Assert.True(File.Exists(path), $"crash child not built at {path}");
        return Path.GetFullPath(path);
    }
}

using System.Diagnostics;
using Xunit.Abstractions;
using VectorDb.Datasets;
using VectorDb.Storage.CrashChild;

namespace VectorDb.Storage.Tests;

/// <summary>
/// Kills a real process that creates and drops collections (and writes each new one's points durably) with SIGKILL:
/// at random moments and the instant it starts a create or a drop. After every kill the store must open with no
/// leftover staging or dropping directory; every acknowledged create (with its points) is there with identical bytes,
/// every acknowledged drop is gone, an in-flight create or drop is either done or not, and every collection present
/// opens cleanly (no torn collection).
/// </summary>
public sealed class CreateDropCrashTests(ITestOutputHelper output)
{
    private const int Rounds = 20;

    private enum Expect { Present, Absent, Either }

    [Fact]
    public async Task SigkillDuringCreateAndDrop_LosesNoAcknowledgedCreateOrDrop_LeavesNoTornCollection()
    {
        using var dir = new TestDirectory("crash-churn");
        var basePath = Path.Combine(CrashTests.FindRepositoryRoot(), "datasets", "glove-100-angular-20k", "base.fvecs");
        var vectors = Texmex.ReadFvecs(basePath, 2000);
        var manifest = CrashProtocol.Manifest(vectors.Dimension);
        var expected = new Dictionary<int, Expect>();
        var required = new Dictionary<int, HashSet<ulong>>(); // points that must be there: all after "C-", else those recovered before
        var rng = new SeededRandom(20261205);
        int acknowledgedCreates = 0, acknowledgedDrops = 0, killsInCreate = 0, killsInDrop = 0, lost = 0;

        for (int round = 0; round < Rounds; round++)
        {
            string trigger = (round % 3) switch { 0 => "C+", 1 => "D+", _ => "" };
            // Each round waits for 1-4 acknowledged creates (a count, not a time, so load cannot starve a round).
            var lines = await RunUntilKilledAsync(dir.Path, basePath, (ulong)round + 1, trigger, createsBeforeKill: 1 + rng.NextInt(4));
            string? last = lines.LastOrDefault(l => l.StartsWith('C') || l.StartsWith('D'));
            if (last is not null && last.StartsWith("C+", StringComparison.Ordinal)) killsInCreate++;
            if (last is not null && last.StartsWith("D+", StringComparison.Ordinal)) killsInDrop++;
            foreach (var line in lines)
            {
                var parts = line.Split(' ');
                if (parts.Length != 2)
                    continue;
                int n = int.Parse(parts[1]);
                switch (parts[0])
                {
                    case "C+": expected[n] = Expect.Either; break;
                    case "C-":
                        expected[n] = Expect.Present;
                        required[n] = [.. ChurnChild.Points(vectors.Values, vectors.Dimension, n).Select(p => p.Id)];
                        acknowledgedCreates++;
                        break;
                    case "D+": expected[n] = Expect.Either; break;
                    case "D-": expected[n] = Expect.Absent; acknowledgedDrops++; break;
                }
            }

            using var store = VectorStore.Open(dir.Path, CrashProtocol.Options);
            Assert.DoesNotContain(Directory.EnumerateDirectories(dir.Path).Select(Path.GetFileName), n => n!.StartsWith('.'));
            var present = store.ListCollections().Select(ChurnChild.Number).ToHashSet();
            foreach (int n in present)
                Assert.True(expected.ContainsKey(n), $"round {round}: collection {n} was never created");
            foreach (var (n, expect) in expected)
            {
                bool exists = present.Contains(n);
                if (expect == Expect.Present && !exists) lost++;
                Assert.True(expect != Expect.Present || exists, $"round {round}: acknowledged create of {n} lost");
                Assert.True(expect != Expect.Absent || !exists, $"round {round}: acknowledged drop of {n} undone");
                if (exists)
                {
                    await using var collection = store.OpenCollection(ChurnChild.Prefix + n, manifest); // not torn
                    var points = ChurnChild.Points(vectors.Values, vectors.Dimension, n);
                    var recovered = new HashSet<ulong>();
                    foreach (var write in points)
                    {
                        var stored = await collection.GetAsync(write.Id);
                        bool mustExist = expect == Expect.Present && required.GetValueOrDefault(n)?.Contains(write.Id) == true;
                        if (stored is null && mustExist) lost++;
                        Assert.True(stored is not null || !mustExist, $"round {round}: point {write.Id} of {n} lost");
                        if (stored is not null)
                        {
                            Assert.Equal(write.Original.ToArray(), stored.Original);
                            Assert.Equal(write.Codes.ToArray(), stored.Codes);
                            recovered.Add(write.Id);
                        }
                    }
                    Assert.Equal(recovered.Count, collection.Count); // nothing else in it
                    required[n] = recovered; // an in-flight create may have left fewer points; those stay
                }
                expected[n] = exists ? Expect.Present : Expect.Absent; // resolved for the next round
            }
        }

        output.WriteLine($"{Rounds} rounds: {acknowledgedCreates} acknowledged creates, {acknowledgedDrops} acknowledged drops, " +
                         $"{killsInCreate} kills inside a create, {killsInDrop} inside a drop, {lost} acknowledged creates or points lost");
        // Each round waited for at least one "C-" line; fewer here means the replay above lost count of them.
        Assert.True(acknowledgedCreates >= Rounds, $"only {acknowledgedCreates} creates were counted in {Rounds} rounds");
        Assert.True(killsInCreate >= 1 && killsInDrop >= 1, $"kills inside create {killsInCreate}, inside drop {killsInDrop}");
    }

    /// <summary>Starts the churn child, lets it acknowledge <paramref name="createsBeforeKill"/> creates, then kills
    /// it at once (no trigger) or the instant it next starts the <paramref name="trigger"/> operation.</summary>
    private static async Task<List<string>> RunUntilKilledAsync(string root, string basePath, ulong seed, string trigger, int createsBeforeKill)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", CrashChildPath(), "churn", root, basePath, seed.ToString() })
            start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        var lines = new List<string>();
        var ready = new TaskCompletionSource();
        var killed = new TaskCompletionSource();
        var progressed = new TaskCompletionSource();
        int creates = 0;
        bool armed = false;
        var stderr = child.StandardError.ReadToEndAsync();
        var reader = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                    if (line == "READY") ready.TrySetResult();
                    if (line.StartsWith("C-", StringComparison.Ordinal) && ++creates >= createsBeforeKill) progressed.TrySetResult();
                    if (armed && line.StartsWith(trigger, StringComparison.Ordinal) && !killed.Task.IsCompleted)
                    {
                        child.Kill(); // SIGKILL, the moment the operation starts
                        killed.TrySetResult();
                    }
                }
            }
        });
        if (await Task.WhenAny(ready.Task, child.WaitForExitAsync(), Task.Delay(60_000)) != ready.Task)
        {
            if (!child.HasExited) child.Kill();
            Assert.Fail($"churn child did not start: {await stderr}");
        }
        // The 120 s bound only guards against a hung child; it is not a speed check.
        if (await Task.WhenAny(progressed.Task, child.WaitForExitAsync(), Task.Delay(120_000)) != progressed.Task)
        {
            if (!child.HasExited) child.Kill();
            Assert.Fail($"churn child acknowledged {creates} of {createsBeforeKill} creates: {string.Join('\n', lines.TakeLast(5))}");
        }
        lock (lines)
        {
            Assert.False(child.HasExited, $"churn child exited on its own: {string.Join('\n', lines.TakeLast(5))}");
            if (trigger.Length > 0)
                armed = true;
            else
            {
                child.Kill();
                killed.TrySetResult();
            }
        }
        // The child starts a create or drop every few milliseconds; 60 s only guards against a hang.
        await Task.WhenAny(killed.Task, Task.Delay(60_000));
        lock (lines)
        {
            if (!killed.Task.IsCompleted)
                child.Kill();
        }
        await child.WaitForExitAsync();
        await reader;
        await stderr;
        return lines;
    }

    private static string CrashChildPath()
    {
        var testDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var path = Path.Combine(testDirectory, "..", "..", "VectorDb.Storage.CrashChild", Path.GetFileName(testDirectory), "VectorDb.Storage.CrashChild.dll");
        Assert.True(File.Exists(path), $"crash child not built at {path}");
        return Path.GetFullPath(path);
    }
}

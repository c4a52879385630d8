using System.Diagnostics;
using Xunit.Abstractions;
using VectorDb.Datasets;
using VectorDb.Storage.CrashChild;

namespace VectorDb.Storage.Tests;

/// <summary>
/// Kills a real ingesting process with SIGKILL at random moments (also right after it starts a compaction or a
/// checkpoint), reopens the store and checks: every acknowledged write is present with identical bytes; every
/// point present is exactly some write that was issued (acknowledged or in flight), never a mix or garbage; ids
/// never written are absent. The store directory persists across rounds, so each round also recovers the
/// previous rounds' crashes.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    // 40 rounds, all of them ingesting: 20 killed the moment a compaction starts, 10 the moment a checkpoint starts,
    // 10 at a random moment (the issue's bar: at least 20 SIGKILL rounds each of ingest and compaction).
    private const int Rounds = 40;

    private abstract record State;
    private sealed record Present(ulong Version) : State;
    private sealed record Absent : State;

    [Fact]
    public async Task SigkillDuringIngestCompactionAndCheckpoint_LosesNoAcknowledgedWrite()
    {
        using var dir = new TestDirectory("crash");
        var basePath = Path.Combine(FindRepositoryRoot(), "datasets", "glove-100-angular-20k", "base.fvecs");
        var vectors = Texmex.ReadFvecs(basePath, 2000);
        var manifest = CrashProtocol.Manifest(vectors.Dimension);
        var acked = new Dictionary<ulong, State>();
        var rng = new SeededRandom(20261122);
        int killsInCompaction = 0, killsInCheckpoint = 0, totalAcks = 0;

        for (int round = 0; round < Rounds; round++)
        {
            string trigger = (round % 4) switch { 0 or 2 => "C+", 1 => "F+", _ => "" };
            var run = await RunChildUntilKilled(dir.Path, basePath, (ulong)round + 1, (ulong)(round + 1) * 1_000_000_000UL,
                trigger, delayMs: 200 + rng.NextInt(1300));
            var inFlight = new Dictionary<ulong, List<State>>();
            totalAcks += Replay(run.Lines, acked, inFlight);
            if (run.KilledInside == "C+") killsInCompaction++;
            if (run.KilledInside == "F+") killsInCheckpoint++;

            using var store = VectorStore.Open(dir.Path, CrashProtocol.Options);
            if (!store.Exists(CrashProtocol.CollectionName))
            {
                Assert.DoesNotContain(acked, a => a.Value is Present);
                continue;
            }
            await using var collection = store.OpenCollection(CrashProtocol.CollectionName, manifest);
            var ids = acked.Keys.Union(inFlight.Keys).ToHashSet();
            long present = 0;
            foreach (ulong id in ids)
            {
                var point = await collection.GetAsync(id);
                State actual = point is null ? new Absent() : new Present(CrashProtocol.VersionOf(point.Payload) ?? ulong.MaxValue);
                var allowed = new List<State> { acked.GetValueOrDefault(id) ?? new Absent() };
                allowed.AddRange(inFlight.GetValueOrDefault(id) ?? []);
                Assert.True(allowed.Contains(actual),
                    $"round {round}: point {id} recovered as {actual}, allowed {string.Join(", ", allowed)}");
                if (point is not null)
                {
                    var expected = CrashProtocol.Point(vectors.Values, vectors.Dimension, id, ((Present)actual).Version);
                    Assert.Equal(expected.Codes.ToArray(), point.Codes);
                    Assert.Equal(expected.Original.ToArray(), point.Original);
                    Assert.Equal(expected.Payload.ToArray(), point.Payload);
                    present++;
                }
                acked[id] = actual; // resolved: the next round starts from what was recovered
            }
            Assert.Equal(present, collection.Count); // nothing present that was never written
        }

        output.WriteLine($"{Rounds} rounds, {totalAcks} acknowledged batches, {killsInCompaction} kills inside a " +
                         $"compaction, {killsInCheckpoint} inside a checkpoint, {acked.Count(a => a.Value is Present)} points at the end");
        Assert.True(totalAcks > 100, $"only {totalAcks} batches were acknowledged in {Rounds} rounds; the test did not exercise ingest");
        Assert.True(killsInCompaction >= 1, "no kill landed inside a compaction");
        Assert.True(killsInCheckpoint >= 1, "no kill landed inside a checkpoint");
    }

    /// <summary>Applies one round's output: acknowledged intents update <paramref name="acked"/>, the rest are
    /// collected as possible in-flight states. Returns the number of acknowledgements.</summary>
    private static int Replay(IReadOnlyList<string> lines, Dictionary<ulong, State> acked, Dictionary<ulong, List<State>> inFlight)
    {
        var pending = new List<(ulong Id, State State)>[CrashProtocol.Writers];
        for (int w = 0; w < pending.Length; w++)
            pending[w] = [];
        int acks = 0;
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "I" when parts.Length == 4:
                    pending[int.Parse(parts[1])].Add((ulong.Parse(parts[2]), new Present(ulong.Parse(parts[3]))));
                    break;
                case "D" when parts.Length == 3:
                    pending[int.Parse(parts[1])].Add((ulong.Parse(parts[2]), new Absent()));
                    break;
                case "A" when parts.Length == 2:
                    int writer = int.Parse(parts[1]);
                    foreach (var (id, state) in pending[writer])
                        acked[id] = state;
                    pending[writer].Clear();
                    acks++;
                    break;
            }
        }
        foreach (var writerPending in pending)
        {
            foreach (var (id, state) in writerPending)
            {
                if (!inFlight.TryGetValue(id, out var list))
                    inFlight[id] = list = [];
                list.Add(state);
            }
        }
        return acks;
    }

    private sealed record ChildRun(IReadOnlyList<string> Lines, string KilledInside);

    private static async Task<ChildRun> RunChildUntilKilled(string root, string basePath, ulong seed, ulong firstVersion,
        string trigger, int delayMs)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", ChildPath(), root, basePath, seed.ToString(), firstVersion.ToString() })
            start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        var lines = new List<string>();
        var ready = new TaskCompletionSource();
        var killed = new TaskCompletionSource();
        bool armed = false;
        var stderr = child.StandardError.ReadToEndAsync();
        var reader = Task.Run(async () =>
        {
            var stdout = child.StandardOutput;
            while (await stdout.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                    if (line == "READY") ready.TrySetResult();
                    // Kill from the reading thread the moment the marker arrives, to land inside the operation.
                    if (armed && line == trigger && !killed.Task.IsCompleted)
                    {
                        child.Kill(); // SIGKILL on Unix
                        killed.TrySetResult();
                    }
                }
            }
        });
        var readyOrExit = await Task.WhenAny(ready.Task, child.WaitForExitAsync(), Task.Delay(60_000));
        if (readyOrExit != ready.Task)
        {
            if (!child.HasExited) child.Kill();
            Assert.Fail($"crash child did not start: {await stderr}");
        }
        await Task.Delay(delayMs);
        lock (lines)
        {
            Assert.False(child.HasExited, $"crash child exited on its own: {string.Join('\n', lines.TakeLast(5))}");
            if (trigger.Length > 0)
                armed = true;
            else
            {
                child.Kill();
                killed.TrySetResult();
            }
        }
        await Task.WhenAny(killed.Task, Task.Delay(5_000));
        lock (lines)
        {
            if (!killed.Task.IsCompleted)
            {
                child.Kill();
                killed.TrySetResult();
            }
        }
        await child.WaitForExitAsync();
        await reader;
        await stderr;
        // Inside = the operation started and its end marker never appeared before the process died.
        string killedInside = "";
        if (trigger.Length > 0)
        {
            int started = lines.LastIndexOf(trigger);
            if (started >= 0 && lines.IndexOf(trigger[0] + "-", started) < 0)
                killedInside = trigger;
        }
        return new ChildRun(lines, killedInside);
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

    internal static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "datasets", "glove-100-angular-20k")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException("repository root with datasets/glove-100-angular-20k not found above the test binaries");
    }
}

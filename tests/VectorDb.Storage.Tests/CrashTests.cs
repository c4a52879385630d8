using Xunit.Abstractions;
using VectorDb.Datasets;
using VectorDb.Storage.CrashChild;

namespace VectorDb.Storage.Tests;

/// <summary>
/// Kills a real ingesting process (two durable writers, a compactor and a checkpointer) with SIGKILL at an exact point
/// inside an ingest, a checkpoint (commit round) or a compaction, reopens the store and checks: every acknowledged
/// write is present with identical bytes; every point present is exactly some write that was issued (acknowledged or
/// in flight), never a mix or garbage; ids never written are absent. The store directory persists across rounds, so
/// each round also recovers the previous rounds' crashes.
/// <para>Where each round dies is not left to timing: the child stops its thread at the seeded n-th visit of one of
/// the store's crash points (<see cref="CrashPoint"/>, reached only when a test sets the hook) and prints a marker,
/// and the test kills it there. Every round therefore crashes inside the operation it targets.</para>
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    // 40 rounds: 20 killed inside a compaction, 10 inside a checkpoint (commit round), 10 inside an ingest batch (the
    // issue's bar: at least 20 SIGKILL rounds each of ingest and compaction; every round ingests before its kill).
    private const int Rounds = 40;

    private static readonly string[] CompactionPoints =
        [CrashPoint.CompactionChunkCopied, CrashPoint.CompactionChunkCommitted, CrashPoint.CompactionTruncated, CrashPoint.CompactionCommitted];
    private static readonly string[] CheckpointPoints =
        [CrashPoint.CommitBlobsFlushed, CrashPoint.CommitLogsFlushed, CrashPoint.CommitSlotWritten];
    private static readonly string[] IngestPoints = [CrashPoint.UpsertAppended, CrashPoint.DeleteAppended];

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
        var killsAt = new Dictionary<string, int>();
        int totalAcks = 0;

        for (int round = 0; round < Rounds; round++)
        {
            var (crashPoint, hit) = (round % 4) switch
            {
                0 or 2 => (CompactionPoints[round / 2 % CompactionPoints.Length], 1 + rng.NextInt(2)),
                1 => (CheckpointPoints[round / 4 % CheckpointPoints.Length], 1 + rng.NextInt(20)),
                _ => (IngestPoints[round / 4 % IngestPoints.Length], 1 + rng.NextInt(20)),
            };
            // The child counts visits of the point only after this many acknowledged batches: every round ingests.
            int acksBeforeArming = 3 + rng.NextInt(40);
            var lines = await CrashChildProcess.RunUntilStoppedAsync(
                [dir.Path, basePath, (round + 1).ToString(), ((ulong)(round + 1) * 1_000_000_000UL).ToString(), crashPoint,
                 acksBeforeArming.ToString(), hit.ToString()],
                crashPoint);
            var inFlight = new Dictionary<ulong, List<State>>();
            int acks = Replay(lines, acked, inFlight);
            Assert.True(acks >= acksBeforeArming, $"round {round}: {acks} acknowledgements replayed, the child armed after {acksBeforeArming}");
            totalAcks += acks;
            killsAt[crashPoint] = killsAt.GetValueOrDefault(crashPoint) + 1;

            using var store = CollectionCatalogue.Open(dir.Path, CrashProtocol.Options);
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
                    $"round {round} (killed at {crashPoint}): point {id} recovered as {actual}, allowed {string.Join(", ", allowed)}");
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

        output.WriteLine($"{Rounds} rounds, {totalAcks} acknowledged batches, {acked.Count(a => a.Value is Present)} points at the end; " +
                         $"kills at: {string.Join(", ", killsAt.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}"))}");
        foreach (var crashPoint in CompactionPoints.Concat(CheckpointPoints).Concat(IngestPoints))
            Assert.True(killsAt.GetValueOrDefault(crashPoint) >= 2, $"only {killsAt.GetValueOrDefault(crashPoint)} kills at {crashPoint}");
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

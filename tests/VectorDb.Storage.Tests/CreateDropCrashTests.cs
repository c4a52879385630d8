using Xunit.Abstractions;
using VectorDb.Datasets;
using VectorDb.Storage.CrashChild;

namespace VectorDb.Storage.Tests;

/// <summary>
/// Kills a real process that creates and drops collections (and writes each new one's points durably) with SIGKILL
/// at an exact point inside a create or a drop: the child stops at the seeded n-th visit of one of the catalogue's
/// crash points (<see cref="CrashPoint"/>) and the test kills it there. After every kill the store must open with no
/// leftover staging or dropping directory; every acknowledged create (with its points) is there with identical bytes,
/// every acknowledged drop is gone, the interrupted create or drop is either done or not, and every collection present
/// opens cleanly (no torn collection).
/// </summary>
public sealed class CreateDropCrashTests(ITestOutputHelper output)
{
    // 20 rounds, five at each of the four create/drop points.
    private const int Rounds = 20;

    private static readonly string[] Points = [CrashPoint.CreateStaged, CrashPoint.CreateMoved, CrashPoint.DropMoved, CrashPoint.DropSynced];

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
            string crashPoint = Points[round % Points.Length];
            bool createPoint = crashPoint.StartsWith("create", StringComparison.Ordinal);
            int hit = 1 + rng.NextInt(4);
            var lines = await CrashChildProcess.RunUntilStoppedAsync(
                ["churn", dir.Path, basePath, (round + 1).ToString(), crashPoint, hit.ToString()], crashPoint);
            // Creates the child must have acknowledged before it stopped: the ones before the hit-th create, or (each
            // drop follows a create of the same run) at least one per drop up to the hit-th.
            int createsBefore = lines.Count(l => l.StartsWith("C-", StringComparison.Ordinal));
            Assert.True(createsBefore >= (createPoint ? hit - 1 : hit),
                $"round {round}: {createsBefore} acknowledged creates before the stop at visit {hit} of {crashPoint}");
            // The stop is inside the last create or drop the child started.
            string? last = lines.LastOrDefault(l => l.StartsWith('C') || l.StartsWith('D'));
            bool inCreate = last is not null && last.StartsWith("C+", StringComparison.Ordinal);
            bool inDrop = last is not null && last.StartsWith("D+", StringComparison.Ordinal);
            Assert.True(createPoint ? inCreate : inDrop,
                $"round {round}: stopped at {crashPoint} but the last operation line is '{last}'");
            if (inCreate) killsInCreate++;
            if (inDrop) killsInDrop++;
            foreach (var line in lines)
            {
                var parts = line.Split(' ');
                if (parts.Length != 2 || parts[0] == "K")
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

            using var store = CollectionCatalogue.Open(dir.Path, CrashProtocol.Options);
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
        Assert.Equal(Rounds / 2, killsInCreate); // every round's kill was checked above to be inside its operation
        Assert.Equal(Rounds / 2, killsInDrop);
    }
}

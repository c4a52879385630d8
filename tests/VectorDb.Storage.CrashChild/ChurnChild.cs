using System.Text;
using VectorDb.Index.Common;

namespace VectorDb.Storage.CrashChild;

/// <summary>
/// Catalogue churn until killed: creates collections <c>churn-N</c> (N increasing across runs), writes
/// <see cref="PointsPerCollection"/> points durably into each, and drops older ones. Output lines, each flushed
/// before the operation starts or after it completes: <c>READY</c>, <c>C+ N</c> / <c>C- N</c> around "create N and
/// write its points durably", <c>D+ N</c> / <c>D- N</c> around "drop N", and <c>K point</c> when it stops at the
/// <c>hit</c>-th visit of crash point <c>point</c> to be killed there (<see cref="CrashStop"/>).
/// </summary>
public static class ChurnChild
{
    public const string Prefix = "churn-";
    public const int PointsPerCollection = 5;

    public static async Task<int> RunAsync(string root, ReadOnlyMemory<float> vectors, int dimension, ulong seed, string point, int hit)
    {
        var output = TextWriter.Synchronized(new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true });
        var stop = new CrashStop(point, hit, line => output.Write(line));
        stop.Arm();
        using var store = CollectionCatalogue.Open(root, stop.Options);
        var live = store.ListCollections().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(Number).Order().ToList();
        int next = live.Count == 0 ? 1 : live[^1] + 1;
        var rng = new SplitMix64(seed);
        var manifest = CrashProtocol.Manifest(dimension);
        await output.WriteLineAsync("READY");
        while (true)
        {
            int n = next++;
            await output.WriteLineAsync($"C+ {n}");
            await using (var collection = store.CreateCollection(Prefix + n, manifest))
                await collection.UpsertAsync(Points(vectors.Span, dimension, n), wait: true);
            await output.WriteLineAsync($"C- {n}");
            live.Add(n);
            if (live.Count > 3 || rng.NextInt(2) == 0)
            {
                int victim = live[rng.NextInt(live.Count)];
                live.Remove(victim);
                await output.WriteLineAsync($"D+ {victim}");
                store.DropCollection(Prefix + victim);
                await output.WriteLineAsync($"D- {victim}");
            }
        }
    }

    /// <summary>The points of collection <paramref name="n"/>: ids 0..4, version n.</summary>
    public static PointWrite[] Points(ReadOnlySpan<float> vectors, int dimension, int n)
    {
        var points = new PointWrite[PointsPerCollection];
        for (int i = 0; i < points.Length; i++)
            points[i] = CrashProtocol.Point(vectors, dimension, (ulong)(i + n), (ulong)n);
        return points;
    }

    public static int Number(string name) => int.Parse(name.AsSpan(Prefix.Length), System.Globalization.CultureInfo.InvariantCulture);
}

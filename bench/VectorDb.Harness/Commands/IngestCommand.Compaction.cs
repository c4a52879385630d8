using System.Diagnostics;
using System.Globalization;
using VectorDb.Datasets;
using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Storage;

namespace VectorDb.Harness.Commands;

internal sealed partial class IngestCommand
{
    private const double BaselineSeconds = 2;

    /// <summary>
    /// Compaction pauses: overwrite the first half of the points (half the log becomes garbage), then time single
    /// operations from one probe thread, round robin, first for <see cref="BaselineSeconds"/> without compaction, then
    /// while <see cref="StoredCollection.CompactAsync"/> runs: a buffered single-point upsert (ack after the
    /// in-memory append: what a pause would block), a durable single-point upsert (includes its commit round), a get,
    /// a batched read of 16 originals (what re-ranking from disk issues), and an auto re-ranked k=10 search on the
    /// index that reads originals from the blob log.
    /// </summary>
    private static void MeasureCompaction(StoredCollection collection, RerankTwins twins, VectorSet vectors,
        IVectorQuantizer quantizer, long total, VectorSet queries, List<string> reports)
    {
        Ingest(collection, vectors, quantizer, total / 2, 256, 1, wait: false, progress: null);
        var before = collection.GetStatistics();
        var rng = new SplitMix64(7);
        var single = new BatchBuffer(1, quantizer.Layout.RecordSize, vectors.Dimension);
        var ids = new ulong[16];
        var originals = new byte[16 * collection.Manifest.OriginalBytesPerVector];
        var found = new bool[16];
        var probes = new (string Name, Action Run)[]
        {
            ("buffered upsert", () => collection.UpsertAsync(single.Points.AsMemory(0, 1), wait: false).GetAwaiter().GetResult()),
            ("durable upsert", () => collection.UpsertAsync(single.Points.AsMemory(0, 1), wait: true).GetAwaiter().GetResult()),
            ("get", () => collection.GetAsync(ids[0]).GetAwaiter().GetResult()),
            ("read 16 originals", () => collection.ReadOriginals(ids, originals, found)),
            ("search (auto, from disk)", () => twins.Disk.Search(queries.Row((int)(ids[1] % (ulong)queries.Count)), RerankTwins.Auto)),
        };
        void Prepare()
        {
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = rng.NextUInt64() % (ulong)total;
            }
            single.Encode(vectors, quantizer, (long)ids[0], 1);
        }

        var baseline = Probe(probes, Prepare, () => false, TimeSpan.FromSeconds(BaselineSeconds));
        var clock = Stopwatch.StartNew();
        var compaction = Task.Run(() => collection.CompactAsync());
        var during = Probe(probes, Prepare, () => compaction.IsCompleted, TimeSpan.MaxValue);
        var result = compaction.GetAwaiter().GetResult();
        double seconds = clock.Elapsed.TotalSeconds;

        reports.Add(string.Create(CultureInfo.InvariantCulture,
            $"compaction: {seconds:F2} s, moved {result.BlobEntriesMoved} blobs and {result.CodesEntriesMoved} codes entries, disk {result.BytesOnDiskBefore / 1e6:F0} -> {result.BytesOnDiskAfter / 1e6:F0} MB (blob log {before.BlobLogBytes / 1e6:F0} MB, {before.BlobLogLiveBytes / 1e6:F0} MB live)"));
        reports.Add("latency ms (one probe thread, round robin)   |  without compaction: n, p50, p99, max  |  during compaction: n, p50, p99, max");
        for (int p = 0; p < probes.Length; p++)
        {
            reports.Add(string.Create(CultureInfo.InvariantCulture,
                $"  {probes[p].Name,-26} | {LatencySummary(baseline[p])} | {LatencySummary(during[p])}"));
        }
    }

    /// <summary>Runs the probes round robin until <paramref name="stop"/> says so or <paramref name="limit"/>
    /// passes; returns each probe's latencies in milliseconds.</summary>
    private static List<double>[] Probe((string Name, Action Run)[] probes, Action prepare, Func<bool> stop, TimeSpan limit)
    {
        var latencies = probes.Select(_ => new List<double>()).ToArray();
        var clock = Stopwatch.StartNew();
        var timer = new Stopwatch();
        while (!stop() && clock.Elapsed < limit)
        {
            for (int p = 0; p < probes.Length; p++)
            {
                prepare();
                timer.Restart();
                probes[p].Run();
                latencies[p].Add(timer.Elapsed.TotalMilliseconds);
            }
        }
        return latencies;
    }

    private static string LatencySummary(List<double> latencies)
    {
        if (latencies.Count == 0)
        {
            return "no samples";
        }
        latencies.Sort();
        double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture,
            $"{latencies.Count,6} {Percentile(0.5),7:F3} {Percentile(0.99),7:F3} {latencies[^1],8:F3}");
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using VectorDb.Datasets;
using VectorDb.Harness.Report;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb.Harness.Commands;

/// <summary>
/// The embedded engine's durable upsert rate with payloads, and how long <see cref="VectorDatabase.OpenAsync"/> takes
/// to rebuild a collection (index rows, originals, payload fields) from its storage: once with the originals kept in
/// memory and once with <see cref="DatabaseOptions.OriginalsMemoryBytes"/> = 0 (originals stay in the blob log).
/// </summary>
internal sealed class OpenBenchCommand : ICommand
{
    public string Name => "open-bench";

    public string Summary => "engine: durable upsert rate with payloads and collection open (rebuild) time";

    public string Usage => """
        usage: open-bench --data <dir> [--points 100000] [--batch 1000] [--opens 3] [--index flat] [--warmup 5000]
                          [--dir <data dir>] [--keep]
          --data     dataset folder with base.fvecs; point i is base row i mod rows (rows repeat when --points is larger)
          --points   points upserted (ids 0..points-1), each with a small JSON payload {"row","shard","name","tags"}
          --batch    points per UpsertAsync call (wait: true, so every batch is durable before the next)
          --opens    timed opens per originals mode (the first, untimed open warms the JIT and the OS page cache)
          --index    flat (default: no background IVF training competes with the timed work) or ivf
          --warmup   points upserted (untimed) into a scratch database first, so JIT tiering is not timed
          --dir      where the database lives (default: a new temporary folder, deleted at the end unless --keep)
        upsert rate = points / wall time of the upsert calls (payload serialisation, validation, encode, storage,
        index; the PointInput objects and their JsonObject payloads are built before the clock starts).
        open time = VectorDatabase.OpenAsync until it returns (storage recovery + index rebuild).
        storage only = the same collection opened with the storage layer alone: recovery, then the codes-log pass and
        the blob-log pass with visitors that only count (the storage share of an open).
        Each figure is printed with the 1-minute load average (/proc/loadavg) at the time it was taken.
        """;

    public int Run(Args options)
    {
        options.EnsureOnly("data", "points", "batch", "opens", "index", "warmup", "dir", "keep");
        string folder = options.Required("data");
        var rows = Texmex.ReadFvecs(Path.Combine(folder, "base.fvecs"));
        int total = options.Int("points", 100_000);
        int batch = options.Int("batch", 1000);
        int opens = options.Int("opens", 3);
        int warmup = options.Int("warmup", 5000);
        var index = options.String("index", "flat") switch
        {
            "flat" => IndexLayout.Flat,
            "ivf" => IndexLayout.Ivf,
            var other => throw new ArgumentException($"--index: '{other}' is not flat or ivf."),
        };
        if (total < 1 || batch < 1 || opens < 1 || warmup < 0)
        {
            throw new ArgumentException("--points, --batch and --opens must be at least 1, --warmup at least 0.");
        }
        string directory = options.Optional("dir") ?? Path.Combine(Path.GetTempPath(), "vectordb-open-" + Guid.NewGuid().ToString("N"));
        bool keep = options.Has("keep") || options.Optional("dir") is not null;
        var config = new CollectionConfig(rows.Dimension, Metric.L2, Index: index);
        Console.WriteLine($"{Path.GetFileName(Path.GetFullPath(folder))}: {total} points of d={rows.Dimension} from {rows.Count} rows, " +
            $"{config.Bits} bits, float32 originals, {index}, batches of {batch}, database {directory}");

        try
        {
            if (warmup > 0)
            {
                string scratch = directory + "-warmup";
                Ingest(scratch, config, rows, Math.Min(warmup, total), batch);
                OpenOnce(scratch, new DatabaseOptions(), expected: Math.Min(warmup, total));
                Directory.Delete(scratch, recursive: true);
            }

            double seconds = Ingest(directory, config, rows, total, batch);
            Console.WriteLine(Invariant($"upsert (wait, payloads): {total / seconds:F0} points/s ({seconds:F2} s for {total})  load {Load()}"));

            var modes = new (string Name, DatabaseOptions Options)[]
            {
                ("originals in memory", new DatabaseOptions { OriginalsMemoryBytes = long.MaxValue }),
                ("originals on disk (OriginalsMemoryBytes = 0)", new DatabaseOptions { OriginalsMemoryBytes = 0 }),
            };
            string? reference = null;
            foreach (var (name, databaseOptions) in modes)
            {
                OpenOnce(directory, databaseOptions, total); // untimed: JIT and page cache
                var times = new List<double>();
                for (int i = 0; i < opens; i++)
                {
                    var (openSeconds, fingerprint) = OpenOnce(directory, databaseOptions, total);
                    times.Add(openSeconds);
                    reference ??= fingerprint;
                    if (fingerprint != reference)
                    {
                        throw new InvalidOperationException($"open {i} ({name}) answered differently: {fingerprint} vs {reference}.");
                    }
                }
                times.Sort();
                Console.WriteLine(Invariant($"open, {name}: median {times[times.Count / 2]:F2} s, min {times[0]:F2} s over {opens} opens ({total / times[times.Count / 2]:F0} points/s)  load {Load()}"));
            }
            for (int i = 0; i < opens; i++)
            {
                StoragePasses(directory, total);
            }
            Console.WriteLine($"answers after every open identical (exact and auto search, filtered count, get): {reference}");
            Console.WriteLine($"machine: {MachineDescription.Current()}");
            return 0;
        }
        finally
        {
            if (!keep && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Creates the database and upserts points 0..total-1; returns the seconds the upsert calls took.</summary>
    private static double Ingest(string directory, CollectionConfig config, VectorSet rows, int total, int batch)
    {
        var points = new PointInput[total];
        for (int i = 0; i < total; i++)
        {
            points[i] = new PointInput((ulong)i, rows.Row(i % rows.Count).ToArray(), Payload(i));
        }
        var database = VectorDatabase.Open(directory);
        try
        {
            var collection = database.CreateCollectionAsync("bench", config).GetAwaiter().GetResult();
            var progress = new ProgressBar("upsert", (total + batch - 1) / batch);
            var clock = Stopwatch.StartNew();
            for (int start = 0, done = 0; start < total; start += batch)
            {
                collection.UpsertAsync(points.AsSpan(start, Math.Min(batch, total - start)).ToArray(), wait: true).GetAwaiter().GetResult();
                progress.Report(++done);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            progress.Done();
            return seconds;
        }
        finally
        {
            database.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>A small payload: an integer, a keyword, a string and a short array (about 70 bytes of JSON).</summary>
    private static JsonObject Payload(int row) => new()
    {
        ["row"] = row,
        ["shard"] = row % 16,
        ["name"] = $"item-{row}",
        ["tags"] = new JsonArray(row % 2 == 0 ? "even" : "odd", $"decile-{row % 10}"),
    };

    /// <summary>The storage layer's share of an open, without the engine: collection recovery, the codes-log pass
    /// and the blob-log pass (<see cref="StoredCollection.ForEachLiveBlobAsync"/>) with visitors that only count.</summary>
    private static void StoragePasses(string directory, int expected)
    {
        long allocatedBefore = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        using var store = CollectionCatalogue.Open(directory);
        using var collection = store.OpenCollection("bench");
        double recovery = clock.Elapsed.TotalSeconds;
        long allocatedRecovery = GC.GetTotalAllocatedBytes();
        int codes = 0, blobs = 0;
        long blobBytes = 0;
        collection.ForEachLiveAsync((_, _, _) => codes++).GetAwaiter().GetResult();
        double codesPass = clock.Elapsed.TotalSeconds - recovery;
        long allocatedCodes = GC.GetTotalAllocatedBytes();
        collection.ForEachLiveBlobAsync((_, original, payload) =>
        {
            blobs++;
            blobBytes += original.Length + payload.Length;
        }).GetAwaiter().GetResult();
        double blobPass = clock.Elapsed.TotalSeconds - recovery - codesPass;
        long allocatedBlobs = GC.GetTotalAllocatedBytes();
        if (codes != expected || blobs != expected)
        {
            throw new InvalidOperationException($"storage passes visited {codes} codes and {blobs} blob entries; {expected} points were written.");
        }
        Console.WriteLine(Invariant($"  storage only: recovery {recovery:F2} s ({(allocatedRecovery - allocatedBefore) / 1e6:F0} MB), codes pass {codesPass:F2} s ({(allocatedCodes - allocatedRecovery) / 1e6:F0} MB), blob pass {blobPass:F2} s for {blobBytes / 1e6:F0} MB of originals and payloads ({(allocatedBlobs - allocatedCodes) / 1e6:F0} MB allocated)  load {Load()}"));
    }

    /// <summary>Opens the database, checks the point count and fingerprints a few answers; returns the open time.</summary>
    private static (double Seconds, string Fingerprint) OpenOnce(string directory, DatabaseOptions options, int expected)
    {
        var pauseBefore = GC.GetTotalPauseDuration();
        long allocatedBefore = GC.GetTotalAllocatedBytes();
        int gen2Before = GC.CollectionCount(2);
        var clock = Stopwatch.StartNew();
        var database = VectorDatabase.Open(directory, options);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(Invariant($"  open {seconds:F2} s: allocated {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1e6:F0} MB, GC pauses {(GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds:F2} s, {GC.CollectionCount(2) - gen2Before} gen2 collections"));
        try
        {
            var collection = database.GetCollection("bench");
            if (collection.Count != expected)
            {
                throw new InvalidOperationException($"reopened collection has {collection.Count} points; {expected} were written.");
            }
            var query = collection.GetAsync([(ulong)(expected / 2)], withPayload: false, withVector: true).GetAwaiter().GetResult()[0].Vector!;
            var exact = collection.SearchAsync(new SearchRequest(query, 5) { Exact = true }).GetAwaiter().GetResult();
            var auto = collection.SearchAsync(new SearchRequest(query, 5)).GetAwaiter().GetResult();
            var shard3 = new VectorDb.Filter(Must: [new VectorDb.MatchCondition("shard", VectorDb.FieldValue.Of(3L))]);
            long filtered = collection.CountPoints(shard3);
            var payload = collection.GetAsync([0UL]).GetAwaiter().GetResult()[0].Payload!.ToJsonString();
            string fingerprint = string.Join(' ',
                "exact:" + string.Join(',', exact.Select(h => h.Id)),
                "auto:" + string.Join(',', auto.Select(h => Invariant($"{h.Id}/{h.Score:R}"))),
                Invariant($"shard3:{filtered}"),
                "payload0:" + payload);
            return (seconds, fingerprint);
        }
        finally
        {
            database.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

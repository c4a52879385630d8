using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using VectorDb.Datasets;
using VectorDb.Harness.Report;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb.Harness.Commands;

/// <summary>
/// Durable ingest and recovery on a dataset folder: encode (rotate + quantize + pack) every base vector, store codes
/// and float32 originals in a FASTER-backed collection in batches (acknowledged durable with --wait, the default),
/// then close, reopen, and rebuild the in-memory scan structures from the codes log, checking that searches on the
/// rebuilt index return exactly what they returned before the restart.
/// </summary>
internal sealed partial class IngestCommand : ICommand
{
    public string Name => "ingest";

    public string Summary => "durable ingest rate, bytes on disk per vector and recovery time for a dataset folder";

    public string Usage => """
        usage: ingest --data <dir> [--scheme eden-unbiased] [--bits 4] [--batch 256] [--writers 1] [--no-wait]
                      [--max N] [--repeat R] [--warmup 20000] [--no-rerank] [--compaction]
                      [--dir <data dir>] [--keep] [--seed 42]
          --data     dataset folder with base.fvecs (query.fvecs is used for the after-restart search check)
          --batch    points per upsert call
          --writers  concurrent writers (each takes every writers-th batch; a writer encodes its next batch while
                     its previous one is being committed, and sends it only once that one is acknowledged)
          --no-wait  acknowledge after the in-memory append (default: after the data is on disk)
          --max      ingest only the first N base vectors
          --repeat   ingest the base vectors R times under new ids (to reach larger sizes)
          --warmup   vectors ingested (untimed) into a scratch collection first, so JIT tiering is not timed
          --no-rerank   skip the re-rank comparison (after recovery, by default: k=10 searches with auto and fixed
                        re-ranking, originals in memory vs read from the blob log in batches; results must be
                        identical; single-thread QPS of each, over up to 200 queries of query.fvecs)
          --compaction  overwrite half of the points, then time single upserts, gets, batched original reads
                        and on-disk re-ranked searches before and during a compaction (p50/p99/max)
          --dir      where the store lives (default: a new temporary folder, deleted at the end unless --keep)
        ingest rate counts encode + store; recovery = open the store and collection, enumerate live codes and
        rebuild the scan structures (only the codes log is read; originals stay in the blob log on disk, and
        re-ranking reads them from there in batches, as a collection over DatabaseOptions.OriginalsMemoryBytes does).
        """;

    public int Run(Args options)
    {
        options.EnsureOnly("data", "scheme", "bits", "batch", "writers", "no-wait", "max", "repeat", "dir", "keep", "seed", "warmup", "no-rerank", "compaction");
        string folder = options.Required("data");
        var baseVectors = Texmex.ReadFvecs(Path.Combine(folder, "base.fvecs"), options.Int("max", int.MaxValue));
        var queries = Texmex.ReadFvecs(Path.Combine(folder, "query.fvecs"), 20);
        var quantizerOptions = new QuantizerOptions(baseVectors.Dimension, options.Int("bits", 4), (ulong)options.Int("seed", 42),
            QuantizerSchemes.Parse(options.String("scheme", "eden-unbiased")));
        int batchSize = options.Int("batch", 256);
        int writers = options.Int("writers", 1);
        int repeat = options.Int("repeat", 1);
        bool wait = !options.Has("no-wait");
        string directory = options.Optional("dir") ?? Path.Combine(Path.GetTempPath(), "vectordb-ingest-" + Guid.NewGuid().ToString("N"));
        bool keep = options.Has("keep") || options.Optional("dir") is not null;
        long warmup = options.Int("warmup", 20_000);

        var quantizer = VectorQuantizer.Create(quantizerOptions);
        var manifest = new CollectionManifest
        {
            Dimension = baseVectors.Dimension,
            Metric = nameof(Metric.InnerProduct),
            Scheme = quantizerOptions.Scheme.Id(),
            Bits = quantizerOptions.Bits,
            RotationSeed = quantizerOptions.Seed,
            RotationRounds = quantizerOptions.RotationRounds,
            CodebookId = quantizerOptions.CodebookId,
            CodeLayoutVersion = CodeLayout.LayoutVersion,
            CodeBytesPerVector = quantizer.Layout.RecordSize,
            OriginalFormat = OriginalsFormat.Float32,
        };
        long total = (long)baseVectors.Count * repeat;
        Console.WriteLine($"{Path.GetFileName(Path.GetFullPath(folder))}: {total} vectors of d={baseVectors.Dimension}, {quantizerOptions.Scheme.Id()} {quantizerOptions.Bits} bits, batches of {batchSize}, {writers} writer(s), wait={wait}, store {directory}");

        var before = new VectorIndex(new VectorIndexOptions(quantizerOptions, Metric.InnerProduct, Originals: OriginalsFormat.None));
        double ingestSeconds;
        CollectionStatistics statistics;
        using (var store = CollectionCatalogue.Open(directory))
        {
            if (warmup > 0)
            {
                // Untimed: JIT tiering of the encode and write paths and the first file creations happen here, as in a
                // server that has been running, not inside the measured ingest.
                using (var scratch = store.CreateCollection("warmup", manifest))
                {
                    Ingest(scratch, baseVectors, quantizer, Math.Min(warmup, total), batchSize, writers, wait, progress: null);
                }
                store.DropCollection("warmup");
            }
            using var collection = store.CreateCollection("bench", manifest);
            var progress = new ProgressBar("ingest", (total + batchSize - 1) / batchSize);
            var clock = Stopwatch.StartNew();
            Ingest(collection, baseVectors, quantizer, total, batchSize, writers, wait, progress);
            ingestSeconds = clock.Elapsed.TotalSeconds;
            progress.Done();
            statistics = collection.GetStatistics();
            collection.ForEachLiveAsync((id, _, codes) => before.UpsertEncoded(id, codes, default)).GetAwaiter().GetResult();
        }

        var recovery = Stopwatch.StartNew();
        var after = new VectorIndex(new VectorIndexOptions(quantizerOptions, Metric.InnerProduct, Originals: OriginalsFormat.None));
        long recovered;
        double recoverySeconds;
        var reports = new List<string>();
        bool rerankIdentical = true;
        using (var store = CollectionCatalogue.Open(directory))
        using (var collection = store.OpenCollection("bench", manifest))
        {
            collection.ForEachLiveAsync((id, _, codes) => after.UpsertEncoded(id, codes, default)).GetAwaiter().GetResult();
            recovered = collection.Count;
            recoverySeconds = recovery.Elapsed.TotalSeconds;
            if (!options.Has("no-rerank") || options.Has("compaction"))
            {
                using var rerank = new RerankTwins(collection, baseVectors, quantizerOptions);
                if (!options.Has("no-rerank"))
                {
                    var rerankQueries = Texmex.ReadFvecs(Path.Combine(folder, "query.fvecs"), 200);
                    rerankIdentical = rerank.Measure(rerankQueries, reports);
                }
                if (options.Has("compaction"))
                {
                    MeasureCompaction(collection, rerank, baseVectors, quantizer, total, queries, reports);
                }
            }
        }

        bool identical = after.Count == before.Count && Enumerable.Range(0, queries.Count).All(q =>
            before.Search(queries.Row(q), new SearchOptions(10, Reranking.None)).Hits
                .SequenceEqual(after.Search(queries.Row(q), new SearchOptions(10, Reranking.None)).Hits));
        before.Dispose();
        after.Dispose();
        if (!keep)
        {
            Directory.Delete(directory, recursive: true);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest: {total / ingestSeconds:F0} vectors/s ({ingestSeconds:F2} s for {total}), wait={wait}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"disk: {(double)statistics.BytesOnDisk / total:F0} bytes/vector ({statistics.BytesOnDisk} bytes; codes log {statistics.CodesLogBytes}, blob log {statistics.BlobLogBytes})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"recovery: {recoverySeconds:F2} s to reopen and rebuild the scan structures of {recovered} vectors"));
        Console.WriteLine($"search after restart identical to before (20 queries, top 10): {(identical ? "yes" : "NO")}");
        foreach (var line in reports)
        {
            Console.WriteLine(line);
        }
        Console.WriteLine($"machine: {MachineDescription.Current()}");
        return identical && rerankIdentical && recovered == total ? 0 : 1;
    }

    /// <summary>Encodes and upserts vectors 0..total-1 (row id % count) with <paramref name="writers"/> concurrent
    /// writers. Each writer double-buffers: it encodes batch n+1 while batch n's upsert is in flight, and sends batch
    /// n+1 only after batch n is acknowledged (so with wait, every batch is durable before the next is sent).</summary>
    private static void Ingest(StoredCollection collection, VectorSet vectors, IVectorQuantizer quantizer, long total,
        int batchSize, int writers, bool wait, ProgressBar? progress)
    {
        int batches = (int)((total + batchSize - 1) / batchSize);
        int done = 0;
        async Task WriterAsync(int writer)
        {
            var buffers = new[] { new BatchBuffer(batchSize, quantizer.Layout.RecordSize, vectors.Dimension), new BatchBuffer(batchSize, quantizer.Layout.RecordSize, vectors.Dimension) };
            Task? inFlight = null;
            int current = 0;
            for (int batch = writer; batch < batches; batch += writers)
            {
                var buffer = buffers[current];
                current ^= 1;
                long first = (long)batch * batchSize;
                int count = (int)Math.Min(batchSize, total - first);
                buffer.Encode(vectors, quantizer, first, count);
                if (inFlight is not null)
                {
                    await inFlight.ConfigureAwait(false);
                    progress?.Report(Interlocked.Increment(ref done));
                }
                inFlight = collection.UpsertAsync(buffer.Points.AsMemory(0, count), wait);
            }
            if (inFlight is not null)
            {
                await inFlight.ConfigureAwait(false);
                progress?.Report(Interlocked.Increment(ref done));
            }
        }
        Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriterAsync(w)))).GetAwaiter().GetResult();
        if (!wait)
        {
            collection.FlushAsync().GetAwaiter().GetResult();
        }
    }

    /// <summary>One batch's codes and float32 originals in two flat arrays (no per-point allocation), reused.</summary>
    private sealed class BatchBuffer(int batchSize, int recordSize, int dimension)
    {
        private readonly byte[] _records = new byte[batchSize * recordSize];
        private readonly byte[] _originals = new byte[batchSize * dimension * sizeof(float)];

        public PointWrite[] Points { get; } = new PointWrite[batchSize];

        public void Encode(VectorSet vectors, IVectorQuantizer quantizer, long firstId, int count)
        {
            int originalBytes = dimension * sizeof(float);
            for (int i = 0; i < count; i++)
            {
                long id = firstId + i;
                var vector = vectors.Row((int)(id % vectors.Count));
                var record = _records.AsMemory(i * recordSize, recordSize);
                quantizer.Encode(vector, record.Span);
                var original = _originals.AsMemory(i * originalBytes, originalBytes);
                MemoryMarshal.AsBytes(vector).CopyTo(original.Span);
                Points[i] = new PointWrite((ulong)id, record, original);
            }
        }
    }
}

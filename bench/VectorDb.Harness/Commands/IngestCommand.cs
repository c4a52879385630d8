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
internal sealed class IngestCommand : ICommand
{
    public string Name => "ingest";

    public string Summary => "durable ingest rate, bytes on disk per vector and recovery time for a dataset folder";

    public string Usage => """
        usage: ingest --data <dir> [--scheme eden-unbiased] [--bits 4] [--batch 256] [--writers 1] [--no-wait]
                      [--max N] [--repeat R] [--dir <data dir>] [--keep] [--seed 42]
          --data     dataset folder with base.fvecs (query.fvecs is used for the after-restart search check)
          --batch    points per upsert call
          --writers  concurrent writers (each takes every writers-th batch)
          --no-wait  acknowledge after the in-memory append (default: after the data is on disk)
          --max      ingest only the first N base vectors
          --repeat   ingest the base vectors R times under new ids (to reach larger sizes)
          --dir      where the store lives (default: a new temporary folder, deleted at the end unless --keep)
        ingest rate counts encode + store; recovery = open the store and collection, enumerate live codes,
        rebuild the scan structures (no originals are read: re-ranking reads them from disk in batches).
        """;

    public int Run(Args options)
    {
        options.EnsureOnly("data", "scheme", "bits", "batch", "writers", "no-wait", "max", "repeat", "dir", "keep", "seed");
        string folder = options.Required("data");
        var baseVectors = Texmex.ReadFvecs(Path.Combine(folder, "base.fvecs"), options.Int("max", int.MaxValue));
        var queries = Texmex.ReadFvecs(Path.Combine(folder, "query.fvecs"), 20);
        var quantizerOptions = new QuantizerOptions(baseVectors.Dimension, options.Int("bits", 4), (ulong)options.Int("seed", 42),
            QuantizationSchemes.Parse(options.String("scheme", "eden-unbiased")));
        int batchSize = options.Int("batch", 256);
        int writers = options.Int("writers", 1);
        int repeat = options.Int("repeat", 1);
        bool wait = !options.Has("no-wait");
        string directory = options.Optional("dir") ?? Path.Combine(Path.GetTempPath(), "vectordb-ingest-" + Guid.NewGuid().ToString("N"));
        bool keep = options.Has("keep") || options.Optional("dir") is not null;

        var quantizer = VectorQuantizer.Create(quantizerOptions);
        var manifest = new CollectionManifest
        {
            Dimension = baseVectors.Dimension,
            Metric = nameof(ExactMetric.InnerProduct),
            Scheme = quantizerOptions.Scheme.Id(),
            Bits = quantizerOptions.Bits,
            RotationSeed = quantizerOptions.Seed,
            RotationRounds = quantizerOptions.RotationRounds,
            CodebookId = quantizerOptions.CodebookId,
            CodeLayoutVersion = CodeLayout.LayoutVersion,
            CodeBytesPerVector = quantizer.Layout.RecordSize,
            OriginalFormat = OriginalVectorFormat.Float32,
        };
        long total = (long)baseVectors.Count * repeat;
        Console.WriteLine($"{Path.GetFileName(Path.GetFullPath(folder))}: {total} vectors of d={baseVectors.Dimension}, {quantizerOptions.Scheme.Id()} {quantizerOptions.Bits} bits, batches of {batchSize}, {writers} writer(s), wait={wait}, store {directory}");

        var before = new VectorIndex(new VectorIndexOptions(quantizerOptions, ExactMetric.InnerProduct, Originals: null));
        double ingestSeconds;
        CollectionStatistics statistics;
        using (var store = VectorStore.Open(directory))
        using (var collection = store.CreateCollection("bench", manifest))
        {
            int batches = (int)((total + batchSize - 1) / batchSize);
            var progress = new ProgressBar("ingest", batches);
            int done = 0;
            var clock = Stopwatch.StartNew();
            Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, writer =>
            {
                var points = new PointWrite[batchSize];
                for (int batch = writer; batch < batches; batch += writers)
                {
                    long first = (long)batch * batchSize;
                    int count = (int)Math.Min(batchSize, total - first);
                    for (int i = 0; i < count; i++)
                    {
                        long id = first + i;
                        var vector = baseVectors.Row((int)(id % baseVectors.Count));
                        var record = new byte[quantizer.Layout.RecordSize];
                        quantizer.Encode(vector, record);
                        points[i] = new PointWrite((ulong)id, record, MemoryMarshal.AsBytes(vector).ToArray());
                    }
                    collection.UpsertAsync(points.AsMemory(0, count), wait).GetAwaiter().GetResult();
                    progress.Report(Interlocked.Increment(ref done));
                }
            });
            if (!wait)
            {
                collection.FlushAsync().GetAwaiter().GetResult();
            }
            ingestSeconds = clock.Elapsed.TotalSeconds;
            progress.Done();
            statistics = collection.GetStatistics();
            collection.ForEachLiveAsync((id, _, codes) => before.UpsertEncoded(id, codes, default)).GetAwaiter().GetResult();
        }

        var recovery = Stopwatch.StartNew();
        var after = new VectorIndex(new VectorIndexOptions(quantizerOptions, ExactMetric.InnerProduct, Originals: null));
        long recovered;
        using (var store = VectorStore.Open(directory))
        using (var collection = store.OpenCollection("bench", manifest))
        {
            collection.ForEachLiveAsync((id, _, codes) => after.UpsertEncoded(id, codes, default)).GetAwaiter().GetResult();
            recovered = collection.Count;
        }
        double recoverySeconds = recovery.Elapsed.TotalSeconds;

        bool identical = after.Count == before.Count && Enumerable.Range(0, queries.Count).All(q =>
            before.Search(queries.Row(q), new SearchOptions(10, RerankMode.None)).Hits
                .SequenceEqual(after.Search(queries.Row(q), new SearchOptions(10, RerankMode.None)).Hits));
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
        Console.WriteLine($"machine: {MachineDescription.Current()}");
        return identical && recovered == total ? 0 : 1;
    }
}

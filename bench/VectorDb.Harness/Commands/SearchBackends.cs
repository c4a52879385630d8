using System.Diagnostics;
using System.Globalization;
using VectorDb.Datasets;
using VectorDb.Gpu;
using VectorDb.Harness.Report;
using VectorDb.Index.Rerank;

namespace VectorDb.Harness.Commands;

/// <summary>
/// Where `search` scores exactly (<c>--rerank-on cpu|gpu</c>): the CPU SIMD <see cref="ExactScorer"/>, or a CUDA GPU
/// through <see cref="ExactScorerFactory"/> with <see cref="GpuMode.CudaRequired"/> (no silent CPU fallback: a GPU
/// figure must come from a GPU). Remembers the backends it created, so the report can name them.
/// </summary>
internal sealed class RerankBackend
{
    private readonly HashSet<string> _backends = [];

    private RerankBackend(bool gpu) => Gpu = gpu;

    /// <summary>True for <c>--rerank-on gpu</c>.</summary>
    public bool Gpu { get; }

    /// <summary>"cpu" or "gpu".</summary>
    public string Name => Gpu ? "gpu" : "cpu";

    /// <summary>The <see cref="IExactScorer.Backend"/> strings of every scorer created so far, e.g. "Vector512" or
    /// "Cuda NVIDIA H100 80GB HBM3".</summary>
    public string Backends => _backends.Count == 0 ? Name : string.Join(" / ", _backends.Order(StringComparer.Ordinal));

    /// <summary>Parses the option's value.</summary>
    /// <exception cref="ArgumentException">Neither cpu nor gpu.</exception>
    public static RerankBackend Parse(string text) => text switch
    {
        "cpu" => new RerankBackend(gpu: false),
        "gpu" => new RerankBackend(gpu: true),
        _ => throw new ArgumentException($"--rerank-on: '{text}' is not cpu or gpu."),
    };

    /// <summary>Creates the exact scorer over <paramref name="store"/> (the signature VectorIndex takes as its
    /// exact-scorer factory).</summary>
    /// <exception cref="ArgumentException">gpu was asked for and this machine has no CUDA device.</exception>
    public IExactScorer Create(OriginalVectorStore store, Metric metric)
    {
        IExactScorer scorer;
        if (!Gpu)
        {
            scorer = new ExactScorer(store, metric);
        }
        else
        {
            try
            {
                scorer = ExactScorerFactory.Create(store, metric, new GpuScorerOptions { Mode = GpuMode.CudaRequired });
            }
            catch (InvalidOperationException e)
            {
                throw new ArgumentException($"--rerank-on gpu: no CUDA GPU here ({e.Message}). Run with --rerank-on cpu.", e);
            }
        }
        _backends.Add(scorer.Backend);
        return scorer;
    }
}

/// <summary>
/// <c>search --index exact</c>: exact brute force over the originals with <see cref="IExactScorer.SearchAll"/>, no
/// codes. Two rows: queries one at a time (<c>--threads</c> concurrent callers; the GPU scorer serializes them) and
/// queries in batches of <see cref="BatchSize"/> (<see cref="IExactScorer.SearchAllBatch"/>: the GPU's tiled kernel).
/// </summary>
internal static class ExactSearch
{
    /// <summary>Queries per <see cref="IExactScorer.SearchAllBatch"/> call in the batched row.</summary>
    public const int BatchSize = 64;

    public static List<SearchRow> Measure(Dataset dataset, Metric metric, OriginalsFormat precision, RerankBackend backend, int k, int threads)
    {
        int d = dataset.Dimension;
        var store = new OriginalVectorStore(d, precision);
        var progress = new ProgressBar("load", dataset.Base.Count);
        for (int i = 0; i < dataset.Base.Count; i++)
        {
            store.Upsert(i, dataset.Base.Row(i));
            progress.Report(i + 1);
        }
        progress.Done();
        IExactScorer scorer = backend.Create(store, metric);
        try
        {
            long[][] found100 = Deep(dataset, scorer);
            var rows = new List<SearchRow>
            {
                MeasureSingle(dataset, scorer, k, threads, found100),
                MeasureBatched(dataset, scorer, k, found100),
            };
            int bytesPerVector = d * store.BytesPerCoordinate;
            rows = rows.Select(row => row with
            {
                Scheme = precision == OriginalsFormat.Float32 ? "exact-f32" : "exact-f16",
                Bits = store.BytesPerCoordinate * 8,
                Index = $"exact-{backend.Name}",
                BytesPerVector = bytesPerVector,
                RerankedPerQuery = store.LiveCount,
            }).ToList();
            foreach (SearchRow row in rows)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{row.Scheme,-14} {row.Index,-9} {row.Rerank,-3} on {scorer.Backend}: R@10={row.RecallAt10:F4} R1@10={row.Recall1At10:F3} R1@100={row.Recall1At100:F3} QPS={row.Qps,9:F1} p50={row.P50Ms:F3}ms p99={row.P99Ms:F3}ms"));
            }
            return rows;
        }
        finally
        {
            (scorer as IDisposable)?.Dispose();
        }
    }

    private static SearchRow MeasureSingle(Dataset dataset, IExactScorer scorer, int k, int threads, long[][] found100)
    {
        int queries = dataset.Queries.Count;
        var found = new long[queries][];
        var latencies = new double[queries];
        var best = new ScoredSlot[k];
        for (int q = 0; q < Math.Min(queries, 20); q++)
        {
            scorer.SearchAll(dataset.Queries.Row(q), best);  // JIT and the single-query kernel's compilation
        }
        var wall = Stopwatch.StartNew();
        Parallel.For(0, queries, new ParallelOptions { MaxDegreeOfParallelism = threads }, q =>
        {
            var mine = new ScoredSlot[k];
            long start = Stopwatch.GetTimestamp();
            int count = scorer.SearchAll(dataset.Queries.Row(q), mine);
            latencies[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            found[q] = mine.Take(count).Select(s => (long)s.Slot).ToArray();
        });
        double seconds = wall.Elapsed.TotalSeconds;
        return Row(dataset, found, found100, latencies, queries / seconds, "q1", threads);
    }

    private static SearchRow MeasureBatched(Dataset dataset, IExactScorer scorer, int k, long[][] found100)
    {
        int queries = dataset.Queries.Count;
        int d = dataset.Dimension;
        var found = new long[queries][];
        var batchLatencies = new List<double>();
        var best = new ScoredSlot[BatchSize * k];
        var counts = new int[BatchSize];
        int warmUp = Math.Min(queries, BatchSize);
        scorer.SearchAllBatch(dataset.Queries.Values.AsSpan(0, warmUp * d), k, best.AsSpan(0, warmUp * k), counts.AsSpan(0, warmUp));
        var wall = Stopwatch.StartNew();
        for (int first = 0; first < queries; first += BatchSize)
        {
            int n = Math.Min(BatchSize, queries - first);
            long start = Stopwatch.GetTimestamp();
            scorer.SearchAllBatch(dataset.Queries.Values.AsSpan(first * d, n * d), k, best.AsSpan(0, n * k), counts.AsSpan(0, n));
            batchLatencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            for (int q = 0; q < n; q++)
            {
                found[first + q] = best.AsSpan(q * k, counts[q]).ToArray().Select(s => (long)s.Slot).ToArray();
            }
        }
        double seconds = wall.Elapsed.TotalSeconds;
        // p50/p99 of this row are per batch call (the latency a caller of one batch sees).
        return Row(dataset, found, found100, [.. batchLatencies], queries / seconds, $"b{BatchSize}", threads: 1);
    }

    /// <summary>Untimed k = 100 pass (batched) for recall 1@100; both rows share it (same scorer, same answers).
    /// Also the warm-up: kernel compilation and the device upload happen here.</summary>
    private static long[][] Deep(Dataset dataset, IExactScorer scorer)
    {
        const int K = 100;
        int queries = dataset.Queries.Count;
        int d = dataset.Dimension;
        var best = new ScoredSlot[BatchSize * K];
        var counts = new int[BatchSize];
        var found = new long[queries][];
        for (int first = 0; first < queries; first += BatchSize)
        {
            int n = Math.Min(BatchSize, queries - first);
            scorer.SearchAllBatch(dataset.Queries.Values.AsSpan(first * d, n * d), K, best.AsSpan(0, n * K), counts.AsSpan(0, n));
            for (int q = 0; q < n; q++)
            {
                found[first + q] = best.AsSpan(q * K, counts[q]).ToArray().Select(s => (long)s.Slot).ToArray();
            }
        }
        return found;
    }

    private static SearchRow Row(Dataset dataset, long[][] found, long[][] found100, double[] latencies, double qps, string mode, int threads)
    {
        Array.Sort(latencies);
        return new SearchRow
        {
            Scheme = "",
            Bits = 0,
            Index = "",
            Rerank = mode,
            RecallAt10 = Recall.At10(found, dataset.TrueNeighbours),
            Recall1At10 = Recall.OneAtK(found, dataset.TrueNeighbours, 10),
            Recall1At100 = Recall.OneAtK(found100, dataset.TrueNeighbours, 100),
            Qps = qps,
            P50Ms = latencies[(int)(0.50 * (latencies.Length - 1))],
            P99Ms = latencies[(int)(0.99 * (latencies.Length - 1))],
            BytesPerVector = 0,
            BuildSeconds = 0,
            RerankedPerQuery = 0,
            Threads = threads,
        };
    }
}

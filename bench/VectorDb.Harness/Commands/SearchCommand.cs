using System.Diagnostics;
using System.Globalization;
using VectorDb.Datasets;
using VectorDb.Harness.Report;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb.Harness.Commands;

/// <summary>
/// Recall/latency sweep on a real dataset: builds one index per scheme × bit width, then for every re-rank mode ×
/// nprobe runs the queries and reports recall@10, recall 1@10, recall 1@100, QPS and latency percentiles.
/// </summary>
internal sealed class SearchCommand : ICommand
{
    public string Name => "search";

    public string Summary => "recall/QPS sweep: scheme × bits × index × nprobe × re-rank on a dataset folder";

    public string Usage => """
        usage: search --data <dir> [--metric ip|cosine|l2] [--scheme eden-unbiased[,...]] [--bits 4[,...]]
                      [--index flat|ivf|exact] [--nlist N] [--nprobe 1,2,4,...] [--rerank none|<factor>|auto[,...]]
                      [--pool 8] [--z 3] [--originals f32|f16|none] [--k 10] [--threads 1] [--batch 1[,...]]
                      [--queries N] [--seed 42] [--json <file>] [--plot <file.svg>] [--rerank-on cpu|gpu]
                      [--format 2|1] [--rho off|on] [--scale-search N] [--centre-sample N] [--rounds 2]
              [--code-lists auto|off|N]
          --metric     default: l2 for *-euclidean folders, else ip
          --scheme     quantizers (comma list): eden-unbiased, eden-biased, tq-mse, tq-prod
          --bits       bits per coordinate (comma list, 1..8)
          --index      flat (exhaustive) or ivf (seeded k-means lists; --nlist, default about 4·sqrt(n)), or exact:
                       brute force over the --originals, no codes (rows q1: one query per call; b64: batches of 64)
          --nprobe     IVF lists scanned per query (comma list; ignored for flat)
          --rerank     none, a fixed oversampling factor (re-rank k·factor candidates), or auto
                       (variance-aware: re-rank only candidates whose bound estimate + z·sigma can enter the top k)
          --pool       candidates per result that auto may re-rank (its oversampling cap)
          --z          auto's confidence multiplier
          --originals  precision of the originals kept for re-ranking
          --threads    concurrent query threads (each query, or batch, on one thread)
          --batch      queries per search call (comma list; VectorIndex.SearchBatch: a flat index then scans its
                       codes once per four queries at 512 bits, two at 256, as FAISS's batch search does);
                       p50/p99 are then per call, i.e. the latency every query of the batch sees
          --queries    use the first N queries (default: all)
          --rerank-on  exact scoring on the CPU (SIMD) or a CUDA GPU (ILGPU; an error when there is none)
          --format     code format: 2 (default: codes of residuals to the collection mean, and to each IVF list's
                       centroid after training) or 1 (plain, uncentred codes, as before format 2)
          --rho        eden-unbiased, format 2: store the ranking scale rho·S (default off)
          --scale-search  format 2: codebook scalings tried per vector at encode (1 = none; default: the index's)
          --centre-sample format 2: vectors whose mean is the collection centre (default 1024)
          --rounds     rotation rounds (sign flip + Hadamard), default 2
          --code-lists flat, format 2: residual code lists (k-means centroids the codes are residuals to; every list
                       is scanned): auto = what the engine does (VectorIndexOptions.DefaultCodeListCount once due), off,
                       or a list count
        Rows print the centring: none, mean, or mean+lists (IVF residuals), +rho when rho·S is stored.
        --index ivf --nprobe <nlist> scans every list: it isolates the codes' quality from the probing.
        QPS = queries / wall time; p50/p99 per query; recall_1_at_100 from a separate untimed k=100 pass.
        bytes_per_vector = code record (codes + float32 metadata) + originals when the row re-ranks.
        """;

    public int Run(Args options)
    {
        options.EnsureOnly("data", "metric", "scheme", "bits", "index", "nlist", "nprobe", "rerank", "pool", "z", "originals",
            "k", "threads", "batch", "queries", "seed", "json", "plot", "rerank-on", "format", "rho", "scale-search", "centre-sample", "rounds", "code-lists");
        var dataset = Dataset.Load(options.Required("data"), options.Int("queries", int.MaxValue));
        Metric metric = ParseMetric(options.Optional("metric"), dataset.Metric);
        bool exact = options.String("index", "flat") == "exact";  // SearchBackends.cs: no codes, no schemes
        var schemes = exact ? [] : options.StringList("scheme", ["eden-unbiased"]).Select(QuantizerSchemes.Parse).ToArray();
        int[] bitWidths = options.IntList("bits", [4]);
        IndexLayout kind = options.String("index", "flat") switch
        {
            "flat" or "exact" => IndexLayout.Flat,
            "ivf" => IndexLayout.Ivf,
            var other => throw new ArgumentException($"--index: '{other}' is not flat, ivf or exact."),
        };
        int nlist = options.Int("nlist", 0);
        string codeLists = options.String("code-lists", "auto");
        int[] nprobes = kind == IndexLayout.Ivf ? options.IntList("nprobe", [1, 2, 4, 8, 16, 32, 64]) : [0];
        string[] reranks = options.StringList("rerank", ["none"]);
        double pool = double.Parse(options.String("pool", "8"), CultureInfo.InvariantCulture);
        double z = double.Parse(options.String("z", SearchOptions.DefaultConfidence.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        OriginalsFormat originals = options.String("originals", "f32") switch
        {
            "f32" => OriginalsFormat.Float32,
            "f16" => OriginalsFormat.Float16,
            "none" => OriginalsFormat.None,
            var other => throw new ArgumentException($"--originals: '{other}' is not f32, f16 or none."),
        };
        int k = options.Int("k", 10);
        int threads = options.Int("threads", 1);
        int[] batches = options.IntList("batch", [1]);
        if (batches.Any(batch => batch < 1))
        {
            throw new ArgumentException($"--batch: every value must be a positive number of queries; got {string.Join(',', batches)}.");
        }
        ulong seed = (ulong)options.Int("seed", 42);
        var rerankOn = RerankBackend.Parse(options.String("rerank-on", "cpu"));
        int format = options.Int("format", CodeLayout.LayoutVersion);
        bool rho = options.String("rho", "off") switch
        {
            "on" => true,
            "off" => false,
            var other => throw new ArgumentException($"--rho: '{other}' is not on or off."),
        };

        Console.WriteLine($"{dataset.Name}: d={dataset.Dimension}, {dataset.Base.Count} base, {dataset.Queries.Count} queries, metric {metric}, k={k}, {threads} thread(s), {string.Join(',', batches)} quer(ies) per call");
        var rows = exact ? ExactSearch.Measure(dataset, metric, originals == OriginalsFormat.None ? OriginalsFormat.Float32 : originals, rerankOn, k, threads) : [];
        foreach (var scheme in schemes)
        {
            foreach (int bits in bitWidths)
            {
                var quantizer = new QuantizerOptions(dataset.Dimension, bits, seed, scheme,
                    RotationRounds: options.Int("rounds", Index.Rotation.HadamardRotation.DefaultRounds));
                var indexOptions = new VectorIndexOptions(quantizer, metric, originals, kind, nlist,
                    CodeFormat: format, CentreSampleSize: options.Int("centre-sample", VectorIndexOptions.DefaultCentreSampleSize), RhoRanking: rho, ScaleSearch: options.Optional("scale-search") is { } trials
                        ? int.Parse(trials, CultureInfo.InvariantCulture) : null);
                var build = Stopwatch.StartNew();
                using var index = Build(dataset, indexOptions, rerankOn, codeLists);
                double buildSeconds = build.Elapsed.TotalSeconds;
                foreach (string rerank in reranks)
                {
                    foreach ((int nprobe, int batch) in nprobes.SelectMany(nprobe => batches.Select(batch => (nprobe, batch))))
                    {
                        var search = ParseRerank(rerank, k, pool, z, nprobe);
                        var row = Measure(dataset, index, search, threads, batch) with
                        {
                            Scheme = scheme.Id(),
                            Centring = index.CentringDescription,
                            Bits = bits,
                            Index = kind == IndexLayout.Flat ? "flat" : $"ivf{index.ListCount}",
                            NProbe = kind == IndexLayout.Flat ? null : nprobe,
                            Rerank = rerank,
                            BytesPerVector = index.CodeBytesPerVector + (search.Rerank == Reranking.None || originals == OriginalsFormat.None ? 0
                                : dataset.Dimension * (originals == OriginalsFormat.Float16 ? 2 : 4)),
                            BuildSeconds = buildSeconds,
                            Threads = threads,
                            Batch = batch,
                        };
                        rows.Add(row);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{row.Scheme,-14} b={bits} {row.Centring,-14} {row.Index,-8} nprobe={row.NProbe?.ToString(CultureInfo.InvariantCulture) ?? "-",-4} rerank={rerank,-5} batch={batch,-3} R@10={row.RecallAt10:F4} R1@10={row.Recall1At10:F3} R1@100={row.Recall1At100:F3} QPS={row.Qps,9:F1} p50={row.P50Ms:F3}ms p99={row.P99Ms:F3}ms reranked/q={row.RerankedPerQuery:F1} B/vec={row.BytesPerVector}"));
                    }
                }
            }
        }

        var report = new SearchReport
        {
            Dataset = dataset.Name,
            Dim = dataset.Dimension,
            NBase = dataset.Base.Count,
            NQuery = dataset.Queries.Count,
            Machine = $"{MachineDescription.Current()}, exact scoring on {rerankOn.Backends}",
            Rows = rows,
        };
        if (options.Optional("json") is { } json)
        {
            report.Write(json);
            Console.WriteLine($"wrote {json}");
        }
        if (options.Optional("plot") is { } plot)
        {
            RecallQpsPlot.Write(plot, $"{dataset.Name}: recall@10 vs QPS ({threads} thread(s))", rows);
            Console.WriteLine($"wrote {plot}");
        }
        return 0;
    }

    private static VectorIndex Build(Dataset dataset, VectorIndexOptions options, RerankBackend rerankOn, string codeLists)
    {
        var index = new VectorIndex(options, level: null, rerankOn.Create);
        var progress = new ProgressBar("encode", dataset.Base.Count);
        for (int i = 0; i < dataset.Base.Count; i++)
        {
            index.Upsert((ulong)i, dataset.Base.Row(i));
            progress.Report(i + 1);
        }
        progress.Done();
        if (options.Kind == IndexLayout.Ivf)
        {
            index.TrainIvf();
        }
        else if (CodeListsFor(codeLists, index) is > 1 and var lists)
        {
            index.TrainCodeLists(lists); // what a collection of the engine does once it holds this many vectors
        }
        return index;
    }

    /// <summary>--code-lists: residual code lists of a flat index; auto = the engine's default for this index.</summary>
    private static int CodeListsFor(string codeLists, VectorIndex index) => codeLists switch
    {
        "auto" => index.CodeListsDue() ? VectorIndexOptions.DefaultCodeListCount(index.Count) : 0,
        "off" => 0,
        _ => int.TryParse(codeLists, NumberStyles.None, CultureInfo.InvariantCulture, out int lists) && lists >= 2 ? lists
            : throw new ArgumentException($"--code-lists: '{codeLists}' is not auto, off or a list count of at least 2."),
    };

    private static SearchRow Measure(Dataset dataset, VectorIndex index, SearchOptions search, int threads, int batch)
    {
        int queries = dataset.Queries.Count;
        var found = new long[queries][];
        var latencies = new double[queries];
        var reranked = new long[queries];
        // Warm-up: JIT, scratch pools and tiered (PGO) recompilation settle before timing. 50 queries were not
        // enough: the first configuration of a run measured ~2x slower than the same configuration repeated.
        var warmUp = Stopwatch.StartNew();
        for (int q = 0; warmUp.Elapsed < TimeSpan.FromSeconds(1) || q < 200; q += batch)
        {
            int first = q % queries;
            SearchCalls(dataset, index, search, first, Math.Min(batch, queries - first));
        }
        int calls = (queries + batch - 1) / batch;
        var wall = Stopwatch.StartNew();
        Parallel.For(0, calls, new ParallelOptions { MaxDegreeOfParallelism = threads }, call =>
        {
            int first = call * batch, count = Math.Min(batch, queries - first);
            long start = Stopwatch.GetTimestamp();
            SearchResult[] results = SearchCalls(dataset, index, search, first, count);
            double milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            for (int i = 0; i < count; i++)
            {
                latencies[first + i] = milliseconds;
                found[first + i] = results[i].Hits.Select(h => (long)h.Id).ToArray();
                reranked[first + i] = results[i].Reranked;
            }
        });
        double seconds = wall.Elapsed.TotalSeconds;
        var deep = search with { K = 100 };
        var found100 = new long[queries][];
        Parallel.For(0, queries, q => found100[q] = index.Search(dataset.Queries.Row(q), deep).Hits.Select(h => (long)h.Id).ToArray());
        Array.Sort(latencies);
        return new SearchRow
        {
            Scheme = "",
            Bits = 0,
            Index = "",
            Rerank = "",
            RecallAt10 = Recall.At10(found, dataset.TrueNeighbours),
            Recall1At10 = Recall.OneAtK(found, dataset.TrueNeighbours, 10),
            Recall1At100 = Recall.OneAtK(found100, dataset.TrueNeighbours, 100),
            Qps = queries / seconds,
            P50Ms = latencies[(int)(0.50 * (queries - 1))],
            P99Ms = latencies[(int)(0.99 * (queries - 1))],
            BytesPerVector = 0,
            BuildSeconds = 0,
            RerankedPerQuery = reranked.Average(),
            Threads = threads,
        };
    }

    /// <summary>Queries [first, first + count): one Search call when count is 1, else one SearchBatch call.</summary>
    private static SearchResult[] SearchCalls(Dataset dataset, VectorIndex index, SearchOptions search, int first, int count) =>
        count == 1
            ? [index.Search(dataset.Queries.Row(first), search)]
            : index.SearchBatch(dataset.Queries.Values.AsSpan(first * dataset.Dimension, count * dataset.Dimension), search);

    private static SearchOptions ParseRerank(string text, int k, double pool, double z, int nprobe) => text switch
    {
        "none" => new SearchOptions(k, Reranking.None, NProbe: nprobe),
        "auto" => new SearchOptions(k, Reranking.Auto, pool, nprobe, z),
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double factor) && factor >= 1 =>
            new SearchOptions(k, Reranking.Fixed, factor, nprobe),
        _ => throw new ArgumentException($"--rerank: '{text}' is not none, auto or a factor ≥ 1."),
    };

    private static Metric ParseMetric(string? text, Metric fallback) => text switch
    {
        null => fallback,
        "ip" => Metric.InnerProduct,
        "cosine" => Metric.Cosine,
        "l2" => Metric.L2,
        _ => throw new ArgumentException($"--metric: '{text}' is not ip, cosine or l2."),
    };
}

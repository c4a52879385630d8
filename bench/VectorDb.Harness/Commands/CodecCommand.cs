using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using VectorDb.Datasets;
using VectorDb.Harness.Report;
using VectorDb.Index.Common;
using VectorDb.Index.Quantization;

namespace VectorDb.Harness.Commands;

/// <summary>
/// Codec report on a real dataset: for every scheme × bit width, the normalized reconstruction error over all base
/// vectors, the bias and RMS of the normalized inner-product error over a seeded sample of query × base pairs, storage
/// per vector, and single-thread encode throughput. See docs/codec.md for how to read it.
/// </summary>
internal sealed class CodecCommand : ICommand
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    public string Name => "codec";

    public string Summary => "codec report: MSE, inner-product bias/RMSE, bits per vector, encode speed per scheme and bit width";

    public string Usage => """
        usage: codec --data <dir> [--bits 1,2,3,4,8] [--schemes eden-unbiased,eden-biased,tq-mse,tq-prod]
                     [--codebook gauss|beta] [--seed 42] [--queries 200] [--pairs-per-query 500] [--max-base N] [--json <file>]
          --data             dataset folder with base.fvecs and query.fvecs
          --bits             bits per coordinate to test (1..8)
          --schemes          quantizers to test
          --codebook         Lloyd-Max codebook family (default gauss)
          --seed             rotation seed; also seeds the query × base pair sample
          --queries          queries sampled for the inner-product error
          --pairs-per-query  base vectors sampled per query (pairs = queries × this)
          --max-base         use only the first N base vectors (default: all)
          --json             also write the rows as JSON to this file
        mse     = mean ‖x − x̂‖²/‖x‖² over base vectors (zero vectors skipped)
        ip_bias = mean, ip_rmse = root mean square of (estimate − ⟨q,x⟩)/(‖q‖·‖x‖) over the sampled pairs
        bits_per_vector = 8 × record bytes (codes, signs, float32 metadata and byte padding)
        encode_vectors_per_s = base vectors encoded per second on one thread (rotate + quantize + pack)
        """;

    public int Run(Args options)
    {
        options.EnsureOnly("data", "bits", "schemes", "codebook", "seed", "queries", "pairs-per-query", "max-base", "json");
        string folder = options.Required("data");
        int[] bitWidths = options.IntList("bits", [1, 2, 3, 4, 8]);
        var schemes = options.StringList("schemes", QuantizerSchemes.All.Select(s => s.Id()).ToArray()).Select(QuantizerSchemes.Parse).ToArray();
        string codebook = options.String("codebook", Codebook.GaussianId);
        ulong seed = (ulong)options.Int("seed", 42);
        int queryCount = options.Int("queries", 200);
        int pairsPerQuery = options.Int("pairs-per-query", 500);
        int maxBase = options.Int("max-base", int.MaxValue);
        string? jsonPath = options.Optional("json");
        foreach (int bits in bitWidths)
        {
            if (bits is < 1 or > 8)
            {
                throw new ArgumentException($"--bits: {bits} is outside 1..8.");
            }
        }

        var baseVectors = Texmex.ReadFvecs(Path.Combine(folder, "base.fvecs"), maxBase);
        var queries = Texmex.ReadFvecs(Path.Combine(folder, "query.fvecs"));
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        var pairs = SamplePairs(baseVectors.Count, queries.Count, queryCount, pairsPerQuery, seed);
        Console.WriteLine($"dataset {name}: {baseVectors.Count} base, {queries.Count} queries, d={baseVectors.Dimension}; " +
            $"{pairs.Sum(p => p.Bases.Length)} pairs; codebook {codebook}; SIMD {SimdCapabilities.Best}");

        var rows = new List<CodecRow>();
        foreach (var scheme in schemes)
        {
            foreach (int bits in bitWidths)
            {
                var quantizer = VectorQuantizer.Create(new QuantizerOptions(baseVectors.Dimension, bits, seed, scheme, codebook));
                rows.Add(Measure(quantizer, baseVectors, queries, pairs));
            }
        }

        PrintTable(rows);
        if (jsonPath is not null)
        {
            var report = new CodecReport(name, baseVectors.Dimension, codebook, rows);
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, s_json));
            Console.WriteLine($"wrote {jsonPath}");
        }
        return 0;
    }

    private sealed record QueryPairs(int Query, int[] Bases);

    private static QueryPairs[] SamplePairs(int baseCount, int queryTotal, int queryCount, int perQuery, ulong seed)
    {
        var rng = new SplitMix64(seed ^ 0xC0DEC_0000UL);
        var result = new QueryPairs[Math.Min(queryCount, queryTotal)];
        for (int i = 0; i < result.Length; i++)
        {
            var bases = new int[perQuery];
            for (int k = 0; k < perQuery; k++)
            {
                bases[k] = rng.NextInt(baseCount);
            }
            result[i] = new QueryPairs(rng.NextInt(queryTotal), bases);
        }
        return result;
    }

    private static CodecRow Measure(IVectorQuantizer quantizer, VectorSet baseVectors, VectorSet queries, QueryPairs[] pairs)
    {
        string label = $"{quantizer.Options.Scheme.Id()} b={quantizer.Options.Bits}";
        int d = baseVectors.Dimension, size = quantizer.Layout.RecordSize, n = baseVectors.Count;
        var records = new byte[(long)n * size];

        // Two single-threaded passes over the base set; the first also warms the JIT's tiers, the faster one counts
        // (on a shared machine the slower pass mostly measures other processes).
        var progress = new ProgressBar(label, 3L * n + pairs.Length);
        double encodePerSecond = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < n; i++)
            {
                quantizer.Encode(baseVectors.Row(i), records.AsSpan(i * size, size));
                if ((i & 1023) == 0)
                {
                    progress.Report((long)pass * n + i);
                }
            }
            encodePerSecond = Math.Max(encodePerSecond, n / clock.Elapsed.TotalSeconds);
        }

        var decoded = new float[d];
        double mseSum = 0;
        int nonZero = 0;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> x = baseVectors.Row(i);
            double squaredNorm = Dot(x, x);
            if (squaredNorm > 0)
            {
                quantizer.Decode(records.AsSpan(i * size, size), decoded);
                mseSum += SquaredDistance(x, decoded) / squaredNorm;
                nonZero++;
            }
            if ((i & 1023) == 0)
            {
                progress.Report(2L * n + i);
            }
        }

        var estimator = quantizer.CreateEstimator();
        double errorSum = 0, errorSquares = 0;
        long count = 0;
        for (int p = 0; p < pairs.Length; p++)
        {
            ReadOnlySpan<float> q = queries.Row(pairs[p].Query);
            double queryNorm = Math.Sqrt(Dot(q, q));
            estimator.Prepare(q);
            foreach (int b in pairs[p].Bases)
            {
                ReadOnlySpan<float> x = baseVectors.Row(b);
                double scale = queryNorm * Math.Sqrt(Dot(x, x));
                if (scale == 0)
                {
                    continue;
                }
                double error = (estimator.InnerProduct(records.AsSpan(b * size, size)) - Dot(q, x)) / scale;
                errorSum += error;
                errorSquares += error * error;
                count++;
            }
            progress.Report(3L * n + p);
        }
        progress.Done();
        return new CodecRow(quantizer.Options.Scheme.Id(), quantizer.Options.Bits, quantizer.Layout.BitsPerVector,
            mseSum / Math.Max(1, nonZero), errorSum / Math.Max(1, count), Math.Sqrt(errorSquares / Math.Max(1, count)), encodePerSecond);
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
        {
            sum += (double)a[j] * b[j];
        }
        return sum;
    }

    private static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
        {
            double diff = (double)a[j] - b[j];
            sum += diff * diff;
        }
        return sum;
    }

    private static void PrintTable(List<CodecRow> rows)
    {
        Console.WriteLine();
        Console.WriteLine("| scheme | bits | bits/vector | mse | ip_bias | ip_rmse | encode vectors/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Scheme} | {r.Bits} | {r.BitsPerVector} | {r.Mse:F5} | {r.IpBias:+0.00e+00;-0.00e+00;0} | {r.IpRmse:F5} | {r.EncodeVectorsPerSecond:N0} |"));
        }
    }
}

/// <summary>The JSON document written by --json.</summary>
internal sealed record CodecReport(
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("dim")] int Dimension,
    [property: JsonPropertyName("codebook")] string Codebook,
    [property: JsonPropertyName("rows")] IReadOnlyList<CodecRow> Rows);

/// <summary>One scheme × bit width.</summary>
internal sealed record CodecRow(
    [property: JsonPropertyName("scheme")] string Scheme,
    [property: JsonPropertyName("bits")] int Bits,
    [property: JsonPropertyName("bits_per_vector")] int BitsPerVector,
    [property: JsonPropertyName("mse")] double Mse,
    [property: JsonPropertyName("ip_bias")] double IpBias,
    [property: JsonPropertyName("ip_rmse")] double IpRmse,
    [property: JsonPropertyName("encode_vectors_per_s")] double EncodeVectorsPerSecond);

using System.Globalization;
using System.Numerics.Tensors;
using VectorDb;
using VectorDb.Datasets;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

// Recall@10 (no re-rank) of eden-unbiased, tq-mse and tq-prod at each bit width and rotation seed, two ways:
//  - exact: the scheme's inner-product estimate <q, x̂> in float64 from the decoded record x̂ = A·Πᵀc (+ QJL part),
//    exhaustive top 10 (ties to the smaller id): what the estimator alone achieves;
//  - kernel: VectorIndex flat search with Reranking.None (8-bit LUT fast scan / popcount paths).
// For eden-unbiased it also ranks the same codes by <q, x̂>·cos(x, x̂)^(α+1), α ∈ {−1 (unbiased), −½, 0 (direction
// only = tq-mse at 1 bit), 1 (eden-biased)}, to see which per-vector scale ranks best. Those α columns are meaningful
// for inner product / cosine only (for L2 they pair a rescaled ⟨q, x⟩ with the true ‖x‖²).
// usage: EstimatorRecall <dataset dir> <queries> <seeds, e.g. 1,2,3,4,5> <bits, e.g. 1,2,4> [schemes] [rotation rounds]
string folder = args[0];
int queryCount = int.Parse(args[1], CultureInfo.InvariantCulture);
ulong[] seeds = args[2].Split(',').Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToArray();
int[] bitWidths = args[3].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
string[] schemeIds = args.Length > 4 ? args[4].Split(',') : ["eden-unbiased", "tq-mse", "tq-prod"];
int rounds = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : VectorDb.Index.Rotation.HadamardRotation.DefaultRounds;
var dataset = Dataset.Load(folder, queryCount);
int d = dataset.Dimension, n = dataset.Base.Count, nq = dataset.Queries.Count;
Metric metric = dataset.Metric;
bool cosine = metric == Metric.Cosine;
Console.WriteLine($"{dataset.Name}: d={d} n={n} queries={nq} metric={metric} rotation rounds={rounds}");

// Base and queries as the index sees them (normalised for cosine), in float64.
double[] Prepared(ReadOnlySpan<float> v)
{
    var x = new double[v.Length];
    double norm = 0;
    for (int j = 0; j < v.Length; j++) { x[j] = v[j]; norm += x[j] * x[j]; }
    if (cosine && norm > 0) { norm = Math.Sqrt(norm); for (int j = 0; j < x.Length; j++) { x[j] /= norm; } }
    return x;
}
var queries = Enumerable.Range(0, nq).Select(q => Prepared(dataset.Queries.Row(q))).ToArray();
var baseSquaredNorms = new double[n];
for (int i = 0; i < n; i++) { var x = Prepared(dataset.Base.Row(i)); baseSquaredNorms[i] = TensorPrimitives.Dot<double>(x, x); }

double Recall(int[][] found) => Enumerable.Range(0, nq).Average(q => found[q].Intersect(dataset.TrueNeighbours[q].Take(10)).Count() / 10.0);

foreach (string schemeId in schemeIds)
{
    var scheme = QuantizerSchemes.Parse(schemeId);
    foreach (int bits in bitWidths)
    {
        if (scheme == QuantizerScheme.TurboQuantProd && bits < 1) { continue; }
        foreach (ulong seed in seeds)
        {
            var options = new QuantizerOptions(d, bits, seed, scheme, RotationRounds: rounds);
            var quantizer = VectorQuantizer.Create(options);
            var decoded = new double[(long)n * d];
            var decodedSquaredNorms = new double[n];
            var record = new byte[quantizer.Layout.RecordSize];
            var xhat = new float[d];
            using var index = new VectorIndex(new VectorIndexOptions(options, metric, Originals: OriginalsFormat.None));
            for (int i = 0; i < n; i++)
            {
                quantizer.Encode(Array.ConvertAll(Prepared(dataset.Base.Row(i)), v => (float)v), record);
                quantizer.Decode(record, xhat);
                var row = decoded.AsSpan(i * d, d);
                for (int j = 0; j < d; j++) { row[j] = xhat[j]; }
                decodedSquaredNorms[i] = TensorPrimitives.Dot<double>(row, row);
                index.Upsert((ulong)i, dataset.Base.Row(i));
            }
            double[] alphas = scheme == QuantizerScheme.EdenUnbiased ? [-1, -0.5, 0, 1] : [];
            var exact = new int[nq][];
            var byAlpha = alphas.Select(_ => new int[nq][]).ToArray();
            var kernel = new int[nq][];
            var agreement = new double[nq];
            Parallel.For(0, nq, new ParallelOptions { MaxDegreeOfParallelism = 2 }, q =>
            {
                var score = new double[n];
                var tops = new TopTen[1 + alphas.Length];
                for (int t = 0; t < tops.Length; t++) { tops[t] = new TopTen(); }
                double querySquaredNorm = TensorPrimitives.Dot<double>(queries[q], queries[q]);
                for (int i = 0; i < n; i++)
                {
                    double ip = TensorPrimitives.Dot<double>(queries[q], decoded.AsSpan(i * d, d));
                    // Ranking score of the index: ip for IP/cosine; for L2, ‖q‖² − (‖q‖² + N² − 2ip) with N² the
                    // stored squared norm (‖x‖² for unbiased schemes, ‖x̂‖² for biased ones).
                    double n2 = scheme.IsUnbiased() ? baseSquaredNorms[i] : decodedSquaredNorms[i];
                    double s = metric == Metric.L2 ? 2 * ip - n2 : ip;
                    tops[0].Offer(s, i);
                    for (int a = 0; a < alphas.Length; a++)
                    {
                        // cos(x, x̂) = ⟨x, x̂⟩/(‖x‖‖x̂‖) = ‖x‖/‖x̂‖ for the unbiased scale (⟨x, x̂⟩ = ‖x‖²).
                        double cos = Math.Sqrt(baseSquaredNorms[i] / decodedSquaredNorms[i]);
                        double ipAlpha = ip * Math.Pow(cos, alphas[a] + 1);
                        tops[1 + a].Offer(metric == Metric.L2 ? 2 * ipAlpha - baseSquaredNorms[i] : ipAlpha, i);
                    }
                }
                exact[q] = tops[0].Ids();
                for (int a = 0; a < alphas.Length; a++) { byAlpha[a][q] = tops[1 + a].Ids(); }
                var hits = index.Search(dataset.Queries.Row(q), new SearchOptions(10, Reranking.None)).Hits;
                kernel[q] = hits.Select(h => (int)h.Id).ToArray();
                agreement[q] = kernel[q].Intersect(exact[q]).Count() / 10.0;
            });
            string alphaText = string.Join(" ", alphas.Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"a={a}:{Recall(byAlpha[i]):F4}")));
            if (alphas.Length > 0)
            {
                // Why the scale matters: cos(x, x̂) over the base, and over the false positives (returned, not in the
                // true top 10) of the unbiased ranking (α = −1) and of the direction-only ranking (α = 0).
                double Cos(int i) => Math.Sqrt(baseSquaredNorms[i] / decodedSquaredNorms[i]);
                var all = Enumerable.Range(0, n).Select(Cos).ToArray();
                double mean = all.Average(), std = Math.Sqrt(all.Average(c => (c - mean) * (c - mean)));
                double FalsePositiveCos(int[][] found) => Enumerable.Range(0, nq)
                    .SelectMany(q => found[q].Except(dataset.TrueNeighbours[q].Take(10))).Select(Cos).DefaultIfEmpty(double.NaN).Average();
                alphaText += string.Create(CultureInfo.InvariantCulture,
                    $" | cos(x,x^) base {mean:F4}±{std:F4}, false positives a=-1 {FalsePositiveCos(byAlpha[0]):F4}, a=0 {FalsePositiveCos(byAlpha[2]):F4}");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{schemeId,-14} b={bits} seed={seed,-3} exact={Recall(exact):F4} kernel={Recall(kernel):F4} overlap(kernel,exact)={agreement.Average():F4} {alphaText}"));
        }
    }
}

/// <summary>The ten best (score, id), ties to the smaller id.</summary>
internal sealed class TopTen
{
    private readonly double[] _scores = Enumerable.Repeat(double.NegativeInfinity, 10).ToArray();
    private readonly int[] _ids = Enumerable.Repeat(int.MaxValue, 10).ToArray();

    public void Offer(double score, int id)
    {
        if (score < _scores[9] || (score == _scores[9] && id > _ids[9])) { return; }
        int i = 9;
        while (i > 0 && (score > _scores[i - 1] || (score == _scores[i - 1] && id < _ids[i - 1])))
        {
            _scores[i] = _scores[i - 1];
            _ids[i] = _ids[i - 1];
            i--;
        }
        _scores[i] = score;
        _ids[i] = id;
    }

    public int[] Ids() => (int[])_ids.Clone();
}

using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Search;

/// <summary>
/// Format 2 (centred codes): the index's estimates against a float64 oracle of the centred estimator, computed here
/// from the original vectors, the centre and the decoded residual; unbiasedness over rotation seeds with centring on;
/// IVF residual lists; the centre's life cycle; recall against uncentred codes on real data.
/// </summary>
public class CentredCodesTests
{
    private const int Dimension = 48;

    /// <summary>Clustered vectors far from the origin (an offset of norm ≈ 5·√d against a spread of ≈ √d): the
    /// anisotropy of real embeddings that centring is for.</summary>
    internal static float[][] OffsetVectors(int count, ulong seed, int dimension = Dimension)
    {
        var rng = new SplitMix64(seed);
        var offset = Enumerable.Range(0, dimension).Select(_ => (float)(5 + rng.NextGaussian())).ToArray();
        var clusters = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)rng.NextGaussian()).ToArray()).ToArray();
        return Enumerable.Range(0, count).Select(i =>
            Enumerable.Range(0, dimension).Select(j => offset[j] + clusters[i % 6][j] + (float)(0.7 * rng.NextGaussian())).ToArray()).ToArray();
    }

    private static float[] AsSearched(float[] v, Metric metric)
    {
        if (metric != Metric.Cosine)
        {
            return v;
        }
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => (float)(x / norm)).ToArray();
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => RandomVectors.Dot(a, b);

    /// <summary>
    /// The float64 oracle of the centred estimator for one stored vector x (as searched), centre c and decoded
    /// residual r̂ = Decode(record) − c: ⟨q,x⟩ ≈ ⟨q,c⟩ + ⟨c,x−c⟩ + ⟨q−c,r̂⟩; ‖q−x‖² ≈ ‖q−c‖² + ‖x−c‖² − 2⟨q−c,r̂⟩
    /// (clamped at 0). Returns the metric's score as the index reports it.
    /// </summary>
    private static double Oracle(VectorIndex index, ulong id, float[] x, float[] q, Metric metric)
    {
        var (centre, record) = index.CodesOf(id);
        float[] c = centre.Vector.ToArray();
        // r̂ = decoded record minus its centre; the index decodes against the collection centre, so undo that.
        var decoded = new float[x.Length];
        index.Decode(record, decoded);
        float[] collection = index.CentreVector();
        bool uncentred = index.Layout.IsUncentred(record);
        var residualHat = decoded.Select((v, j) => (double)v - (uncentred ? 0 : collection[j])).ToArray();
        double qMinusCDotR = 0, cDotR = 0, qc = 0, qMinusC2 = 0, r2 = 0;
        for (int j = 0; j < x.Length; j++)
        {
            double r = (double)x[j] - c[j];
            qMinusCDotR += ((double)q[j] - c[j]) * residualHat[j];
            cDotR += (double)c[j] * r;
            qc += (double)q[j] * c[j];
            qMinusC2 += ((double)q[j] - c[j]) * ((double)q[j] - c[j]);
            r2 += r * r;
        }
        return metric == Metric.L2 ? Math.Max(0, qMinusC2 + r2 - 2 * qMinusCDotR) : qc + cDotR + qMinusCDotR;
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (SimdLevel level in SimdCapabilities.Available)
        {
            foreach (var metric in new[] { Metric.InnerProduct, Metric.L2, Metric.Cosine })
            {
                foreach (int bits in new[] { 1, 2, 4, 8 })
                {
                    yield return [level, metric, bits];
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FlatEstimates_MatchFloat64OracleOfTheCentredFormula(SimdLevel level, Metric metric, int bits)
    {
        var data = OffsetVectors(400, 11);
        // Originals kept (searched without re-ranking), so the rows coded before the centre are re-encoded from them.
        using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(Dimension, bits, 3), metric, OriginalsFormat.Float32,
            CentreSampleSize: 150), new SimdLevelOverride(level));
        for (int i = 0; i < data.Length; i++)
        {
            index.Upsert((ulong)i, data[i]);
        }
        Assert.True(index.CentreFixed);
        foreach (float[] query in OffsetVectors(5, 12))
        {
            float[] q = AsSearched(query, metric);
            var hits = index.Search(query, new SearchOptions(data.Length, Reranking.None)).Hits;
            Assert.Equal(data.Length, hits.Length);
            double qNorm = Math.Sqrt(Dot(q, q));
            foreach (var hit in hits)
            {
                float[] x = AsSearched(data[hit.Id], metric);
                double expected = Oracle(index, hit.Id, x, q, metric);
                // Table quantization (8-bit lookup tables, the int8 grid at 8 bits) and float rounding only: a small
                // fraction of the scale of the code term, ‖q − c‖·‖x − c‖ (≤ ‖q‖·‖x‖ + … here).
                double scale = (metric == Metric.L2 ? 2 : 1) * qNorm * Math.Sqrt(Dot(x, x)) * (bits == 1 ? 0.03 : 0.012);
                Assert.True(Math.Abs(hit.Score - expected) <= scale + 1e-4,
                    $"id {hit.Id}: index {hit.Score}, oracle {expected} (tolerance {scale})");
            }
        }
    }

    [Fact]
    public void CentredEstimate_IsUnbiased_OverRotationSeeds()
    {
        // Fixed x, q and centre c; the rotation seed is the randomness. Mean error → 0 within 4 standard errors.
        var rng = new SplitMix64(5);
        const int d = 64, seeds = 600;
        float[] x = Enumerable.Range(0, d).Select(_ => (float)(3 + rng.NextGaussian())).ToArray();
        float[] q = Enumerable.Range(0, d).Select(_ => (float)(3 + rng.NextGaussian())).ToArray();
        float[] c = Enumerable.Range(0, d).Select(_ => (float)(3 + 0.2 * rng.NextGaussian())).ToArray();
        double truth = Dot(q, x);
        var errors = new double[seeds];
        for (int s = 0; s < seeds; s++)
        {
            using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(d, 2, (ulong)s + 1), Metric.InnerProduct,
                Originals: OriginalsFormat.None, Centre: c));
            index.Upsert(1, x);
            errors[s] = index.Search(q, new SearchOptions(1, Reranking.None)).Hits[0].Score - truth;
        }
        double mean = errors.Average();
        double sd = Math.Sqrt(errors.Sum(e => (e - mean) * (e - mean)) / (seeds - 1));
        Assert.True(Math.Abs(mean) <= 4 * sd / Math.Sqrt(seeds), $"mean error {mean} with sd {sd} over {seeds} seeds");
        // The residual's norm sets the spread: ‖x − c‖ ≈ √d·1 here vs ‖x‖ ≈ √d·3.2, so it must be well below the
        // uncentred spread D/(1−D)·‖x‖²‖q‖²(1 − cos²)/(d − 1) ≈ (0.133)·… (computed, not assumed).
        double xx = Dot(x, x), qq = Dot(q, q);
        double uncentredSd = Math.Sqrt(0.1331 * (xx * qq - truth * truth) / (d - 1));
        Assert.True(sd < 0.6 * uncentredSd, $"centred sd {sd} vs uncentred prediction {uncentredSd}");
    }

    [Fact]
    public void Centre_IsFixedAtTheSampleSize_AsTheMeanOfTheVectorsSoFar()
    {
        var data = OffsetVectors(300, 21);
        using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(Dimension, 4, 3), Metric.L2,
            CentreSampleSize: 200));
        for (int i = 0; i < 199; i++)
        {
            index.Upsert((ulong)i, data[i]);
        }
        Assert.False(index.CentreFixed);
        Assert.All(index.CentreVector(), v => Assert.Equal(0f, v));
        int before = index.CentreVersion;
        index.Upsert(199, data[199]);
        Assert.True(index.CentreFixed);
        Assert.NotEqual(before, index.CentreVersion);
        float[] centre = index.CentreVector();
        for (int j = 0; j < Dimension; j++)
        {
            double mean = Enumerable.Range(0, 200).Average(i => (double)data[i][j]);
            Assert.Equal(mean, centre[j], 4);
        }
        // Rows written before the centre are re-encoded: every record the index now holds is centred.
        for (int i = 0; i < 200; i++)
        {
            Assert.False(index.Layout.IsUncentred(index.CodesOf((ulong)i).Record));
        }
        for (int i = 200; i < data.Length; i++)
        {
            index.Upsert((ulong)i, data[i]);
        }
        Assert.Equal(data.Length, index.Count);
    }

    [Theory]
    [InlineData(Metric.InnerProduct)]
    [InlineData(Metric.L2)]
    [InlineData(Metric.Cosine)]
    public void IvfResidualLists_EveryListProbed_MatchTheOracle_AndKeepEveryPoint(Metric metric)
    {
        var data = OffsetVectors(1500, 31);
        using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(Dimension, 4, 3), metric,
            OriginalsFormat.Float32, IndexLayout.Ivf, NList: 12));
        for (int i = 0; i < data.Length; i++)
        {
            index.Upsert((ulong)i, data[i]);
        }
        index.TrainIvf();
        Assert.Equal(12, index.ListCount);
        Assert.Equal(data.Length, index.Count);
        foreach (float[] query in OffsetVectors(4, 32))
        {
            float[] q = AsSearched(query, metric);
            var hits = index.Search(query, new SearchOptions(data.Length, Reranking.None, NProbe: 12)).Hits;
            // Every point is still there (re-encoding at training lost none) under its own id.
            Assert.Equal(Enumerable.Range(0, data.Length).Select(i => (ulong)i).ToHashSet(), hits.Select(h => h.Id).ToHashSet());
            double qNorm = Math.Sqrt(Dot(q, q));
            foreach (var hit in hits.Take(200))
            {
                float[] x = AsSearched(data[hit.Id], metric);
                double expected = Oracle(index, hit.Id, x, q, metric);
                double tolerance = (metric == Metric.L2 ? 2 : 1) * qNorm * Math.Sqrt(Dot(x, x)) * 0.012 + 1e-4;
                Assert.True(Math.Abs(hit.Score - expected) <= tolerance, $"id {hit.Id}: index {hit.Score}, oracle {expected}");
            }
        }
        // Under L2 and cosine a vector is its own nearest neighbour once re-ranked (not under inner product).
        for (int i = 0; i < data.Length && metric != Metric.InnerProduct; i += 97)
        {
            var best = index.Search(data[i], new SearchOptions(1, Reranking.Fixed, Oversampling: 20, NProbe: 12)).Hits[0];
            Assert.Equal((ulong)i, best.Id);
        }
    }

    /// <summary>
    /// Centring must not break the uncentred case: on Haar-random unit vectors the collection centre is ≈ 0 (the mean of
    /// 1,024 of them) and the distortion of the stored (re-encoded, centred) records stays within 2% of algorithms.md §3's
    /// d = 128 figures for eden-unbiased, as the plain quantizer's does (QuantizerStatisticsTests).
    /// </summary>
    [Fact]
    public void HaarVectors_CentredDistortion_WithinTwoPercentOfTheory()
    {
        double[] expected = [0.5685, 0.1308, 0.0348, 0.00928];
        const int d = 128, count = 2000;
        var vectors = Enumerable.Range(0, count).Select(i => RandomVectors.UnitSphere(d, 1000 + (ulong)i)).ToArray();
        for (int bits = 1; bits <= 4; bits++)
        {
            using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(d, bits, 9), Metric.InnerProduct,
                OriginalsFormat.Float32));
            for (int i = 0; i < count; i++)
            {
                index.Upsert((ulong)i, vectors[i]);
            }
            Assert.True(index.CentreFixed);
            var decoded = new float[d];
            double total = 0;
            for (int i = 0; i < count; i++)
            {
                index.Decode(index.CodesOf((ulong)i).Record, decoded);
                total += RandomVectors.SquaredDistance(vectors[i], decoded);
            }
            double mse = total / count;
            Assert.True(Math.Abs(mse / expected[bits - 1] - 1) < 0.02, $"centred eden-unbiased d={d} b={bits}: vNMSE {mse:F5}, algorithms.md {expected[bits - 1]}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void OnRealData_CentredCodes_BeatUncentred_WithoutRerank(int bits)
    {
        var data = TestDatasets.Glove20k;
        double Recall(int format)
        {
            using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(data.Dimension, bits, 42),
                Metric.InnerProduct, Originals: OriginalsFormat.None, CodeFormat: format));
            for (int i = 0; i < data.Base.Count; i++)
            {
                index.Upsert((ulong)i, data.Base.Row(i));
            }
            double recall = 0;
            for (int q = 0; q < data.Queries.Count; q++)
            {
                var truth = data.TrueNeighbours[q].Take(10).Select(id => (ulong)id).ToHashSet();
                recall += index.Search(data.Queries.Row(q), new SearchOptions(10, Reranking.None)).Hits.Count(h => truth.Contains(h.Id)) / 10.0;
            }
            return recall / data.Queries.Count;
        }
        double centred = Recall(CodeLayout.LayoutVersion), plain = Recall(CodeLayout.UncentredLayoutVersion);
        Assert.True(centred > plain + 0.005, $"{bits} bits: centred recall@10 {centred:F4}, uncentred {plain:F4}");
    }
}

using VectorDb.Datasets;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Search;

/// <summary>
/// Recall floors on real data: the GloVe slice shipped in datasets/ (20,000 base, 200 queries, exact top-100).
/// Floors sit a little below what the harness measures (see bench/results/search-*.md), so that a real
/// regression (a wrong factor, a broken kernel, lost candidates) fails while run-to-run noise cannot: results here
/// are deterministic (seeded rotation, fixed data), so the margin only absorbs legitimate changes of kernels.
/// </summary>
public class VectorIndexRecallTests
{
    private static (double RecallAt10, double Reranked) Measure(int bits, QuantizerScheme scheme, SearchOptions search, IndexLayout kind = IndexLayout.Flat)
    {
        var data = TestDatasets.Glove20k;
        using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(data.Dimension, bits, 42, scheme), Metric.InnerProduct, OriginalsFormat.Float32, kind));
        for (int i = 0; i < data.Base.Count; i++)
        {
            index.Upsert((ulong)i, data.Base.Row(i));
        }
        if (kind == IndexLayout.Ivf)
        {
            index.TrainIvf();
        }
        double recall = 0, reranked = 0;
        for (int q = 0; q < data.Queries.Count; q++)
        {
            var result = index.Search(data.Queries.Row(q), search);
            var truth = data.TrueNeighbours[q].Take(10).Select(id => (ulong)id).ToHashSet();
            recall += result.Hits.Count(h => truth.Contains(h.Id)) / 10.0;
            reranked += result.Reranked;
        }
        return (recall / data.Queries.Count, reranked / data.Queries.Count);
    }

    [Theory]
    [InlineData(4, 0.85)] // measured 0.8805
    [InlineData(2, 0.57)] // measured 0.6025
    [InlineData(1, 0.31)] // measured 0.3400
    public void EdenUnbiased_WithoutRerank_MeetsFloor(int bits, double floor)
    {
        var (recall, _) = Measure(bits, QuantizerScheme.EdenUnbiased, new SearchOptions(10, Reranking.None));
        Assert.True(recall >= floor, $"recall@10 {recall:F4} at {bits} bits fell below {floor}: a factor, a table or a kernel changed.");
    }

    /// <summary>
    /// The recall-per-bit order at 2 and 4 bits: eden-unbiased at or above tq-mse and tq-prod (no re-rank,
    /// same rotation seed). Measured on this slice: b=2 0.6025 / 0.5470 / 0.4885, b=4 0.8805 / 0.8300 / 0.8085
    /// (deterministic). At 1 bit the order does NOT hold (0.3400 / 0.3530 / 0.3400 here; 200k GloVe averaged over
    /// five seeds 0.270 / 0.282 / 0.283): the unbiased scale 1/cos(x, x̂) is the estimator's, not a kernel defect,
    /// see docs/search.md "1 bit". That case is left out here rather than asserted in a weakened form.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void EdenUnbiased_AtTwoAndFourBits_RecallsAtLeastTurboQuant(int bits)
    {
        var search = new SearchOptions(10, Reranking.None);
        var (eden, _) = Measure(bits, QuantizerScheme.EdenUnbiased, search);
        var (mse, _) = Measure(bits, QuantizerScheme.TurboQuantMse, search);
        var (prod, _) = Measure(bits, QuantizerScheme.TurboQuantProd, search);
        Assert.True(eden >= mse && eden >= prod, $"b={bits}: eden-unbiased {eden:F4}, tq-mse {mse:F4}, tq-prod {prod:F4}");
    }

    /// <summary>
    /// auto at the default 4 bits: recall@10 ≥ 0.99 with fewer exact scores than the plain (format 1) codes needed.
    /// Measured on this slice (deterministic): centred codes with the (1 − cos²) factor recomputed from the records
    /// 0.9995 with 21.1 exact scores per query; without that factor (the wider bound) 1.0 with 22.4; format 1 (commit
    /// 3962611) 1.0 with 24.2. The pool is 80. The bound sits between the first two, so losing the factor fails here.
    /// </summary>
    [Fact]
    public void AutoRerank_ReachesNearPerfectRecall_WithFewerExactScoresThanPlainCodes()
    {
        var (recall, reranked) = Measure(4, QuantizerScheme.EdenUnbiased, new SearchOptions(10, Reranking.Auto, Oversampling: 8));
        Assert.True(recall >= 0.99, $"auto re-rank recall@10 {recall:F4} < 0.99");
        Assert.True(reranked < 21.8, $"auto re-ranked {reranked:F1} candidates per query (measured 21.1; 22.4 without the cos² factor).");
    }

    [Fact]
    public void Ivf_WithModerateProbing_KeepsRecall()
    {
        var (recall, _) = Measure(4, QuantizerScheme.EdenUnbiased, new SearchOptions(10, Reranking.Fixed, Oversampling: 4, NProbe: 32), IndexLayout.Ivf);
        // Measured 0.9480 (deterministic: seeded k-means and rotation, 2026-12-05); the floor sits just below it.
        Assert.True(recall >= 0.94, $"IVF nprobe=32 recall@10 {recall:F4} < 0.94 (measured 0.9480)");
    }
}

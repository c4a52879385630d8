using System.Runtime.Intrinsics;
using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

/// <summary>
/// The per-row pre-filter (<see cref="RowBounds"/>, used for centred codes by the one-query and the batched pruned scans
/// at 256 and 512 bits) against the top-k oracle: factors and offsets spread widely (as residual norms do), some factors
/// zero or negative (their rows must always pass), at every level (levels without the pruned scan take the per-block
/// driver and must agree).
/// </summary>
public partial class PrunedFlatScanTests
{
    public static IEnumerable<object[]> PerRowCases() =>
        from level in SimdCapabilities.Available
        from bits in new[] { 1, 2, 4 }
        from k in new[] { 1, 10, 100, 5000 }
        select new object[] { level, bits, k };

    [Theory]
    [MemberData(nameof(PerRowCases))]
    public void Search_PerRowBounds_EqualsOracle(SimdLevel level, int bits, int k)
    {
        var rng = new SplitMix64((ulong)(k * 13 + bits));
        (Case c, float[] inverse, float[] ratios) = SpreadCase(ref rng, bits);
        var scorer = new FastScanScorer(c.Store, c.Lut, level);
        var results = new TopK(k);
        FlatScan.Validate(scorer, c.Factors, c.Offsets, results);
        FlatScan.SearchBlocks(scorer, c.Factors, c.Offsets, c.Deleted, results, 0, scorer.BlockCount, 0, null,
            RowTermsOf(inverse, ratios));
        Assert.Equal(ScanOracle.TopBySort(c.OracleScores(), k, c.IsDeleted), results.ToSortedArray());
    }

    public static IEnumerable<object[]> PerRowBatchCases() =>
        from level in WideLevels
        from queries in new[] { 2, 3, 4 }
        from bits in new[] { 1, 2, 4 }
        from k in new[] { 1, 10, 100, 5000 }
        select new object[] { level, queries, bits, k };

    /// <summary>The batched scan with per-row bounds: every query's collector equals its own oracle top k.</summary>
    [SkippableTheory]
    [MemberData(nameof(PerRowBatchCases))]
    public void SearchBatch_PerRowBounds_EachQuery_EqualsOracle(SimdLevel level, int queries, int bits, int k)
    {
        RequireWideKernel(level);
        var rng = new SplitMix64((ulong)(queries * 1000 + bits * 100 + k + 7));
        (Case c, float[] inverse, float[] ratios) = SpreadCase(ref rng, bits);
        CheckBatchAgainstOracle(level, c, ref rng, queries, k, RowTermsOf(inverse, ratios));
    }

    /// <summary>
    /// The filter itself on one block of synthetic sums, factors and offsets, at each wide level, with each row's sum
    /// placed within 12 units of the least sum that reaches the threshold: every row whose score reaches it passes
    /// (conservative), and every row that stays below it even with a sum four units higher is dropped (the margin is
    /// three units plus a relative term far below one here), so the filter is as tight as documented.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(WideLevelsData))]
    public void RowBounds_KeepsEveryRowThatReaches_DropsRowsClearlyBelow(SimdLevel level)
    {
        RequireWideKernel(level);
        var rng = new SplitMix64(77);
        const float scale = 0.013f, bias = -41.5f, threshold = 12.5f;
        for (int round = 0; round < 200; round++)
        {
            var sums = new ushort[32];
            var factors = new float[32];
            var offsets = new float[32];
            for (int v = 0; v < 32; v++)
            {
                factors[v] = 0.02f + 3f * (float)rng.NextDouble();
                offsets[v] = 40f * ((float)rng.NextDouble() - 0.5f);
                double least = ((threshold - offsets[v]) / factors[v] - bias) / scale;
                sums[v] = (ushort)Math.Clamp(Math.Round(least) + (int)(rng.NextDouble() * 25) - 12, 0, 65280);
            }
            var inverse = factors.Select(a => 1 / a).ToArray();
            var ratios = offsets.Zip(factors, (b, a) => b / a).ToArray();
            var filter = RowBounds.Create(RowTermsOf(inverse, ratios), scale, bias, threshold);
            var lanes = Vector512.Create(sums);
            uint passed = level == SimdLevel.Vector512 ? filter.Pass(lanes, 0) : filter.Pass(lanes.GetLower(), lanes.GetUpper(), 0);
            for (int v = 0; v < 32; v++)
            {
                bool passes = (passed >> v & 1) != 0;
                Assert.True(passes || Score(sums[v], v) < threshold, $"{level} round {round} row {v}: reaches {threshold} but dropped");
                Assert.True(!passes || Score(sums[v] + 4, v) >= threshold,
                    $"{level} round {round} row {v}: passes although {Score(sums[v] + 4, v)} < {threshold} four units higher");
            }

            float Score(int sum, int v) => MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(scale, sum, bias), factors[v], offsets[v]);
        }
    }

    // 2,017 rows, every 7th deleted, factors spread over two orders of magnitude with large offsets (a single bound for
    // all rows would be loose), a few factors zero or negative (such rows must always be scored); 1/A and B/A per row
    // as the index keeps them.
    private static (Case Case, float[] Inverse, float[] Ratios) SpreadCase(ref SplitMix64 rng, int bits)
    {
        Case c = Case.Create(ref rng, 2017, 100, bits, withOffsets: true, factorLow: 0.05f);
        for (int i = 0; i < c.Factors.Length; i++)
        {
            c.Factors[i] *= i % 3 == 0 ? 8f : 1f;
            c.Offsets[i] *= 20f;
            if (i % 97 == 5)
            {
                c.Factors[i] = i % 2 == 0 ? 0f : -0.5f;
            }
        }
        var inverse = new float[c.Factors.Length];
        var ratios = new float[c.Factors.Length];
        for (int i = 0; i < inverse.Length; i++)
        {
            bool usable = c.Factors[i] > 0;
            inverse[i] = usable ? 1 / c.Factors[i] : 0;
            ratios[i] = usable ? c.Offsets[i] / c.Factors[i] : float.PositiveInfinity;
        }
        return (c, inverse, ratios);
    }

    private static RowTerms RowTermsOf(float[] inverse, float[] ratios) =>
        new(inverse, ratios, inverse.Max(), ratios.Where(float.IsFinite).Max(MathF.Abs));
}

using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

/// <summary>
/// The per-row pre-filter (<see cref="FastScanKernel.NextCandidateBlock512PerRow"/>, used for centred codes at 512 bits)
/// against the top-k oracle: factors and offsets spread widely (as residual norms do), some factors zero or negative
/// (their rows must always pass), at every level (the other levels fall back to the one-bound scan and must agree).
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
        Case c = Case.Create(ref rng, 2017, 100, bits, withOffsets: true, factorLow: 0.05f);
        for (int i = 0; i < c.Factors.Length; i++)
        {
            c.Factors[i] *= i % 3 == 0 ? 8f : 1f; // a wide spread: one bound for all rows would be loose
            c.Offsets[i] *= 20f;
            if (i % 97 == 5)
            {
                c.Factors[i] = i % 2 == 0 ? 0f : -0.5f; // A ≤ 0: the row is always scored
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
        var scorer = new FastScanScorer(c.Store, c.Lut, level);
        var results = new TopK(k);
        FlatScan.Validate(scorer, c.Factors, c.Offsets, results);
        FlatScan.SearchBlocks(scorer, c.Factors, c.Offsets, c.Deleted, results, 0, scorer.BlockCount, 0, null, inverse, ratios);
        Assert.Equal(ScanOracle.TopBySort(c.OracleScores(), k, c.IsDeleted), results.ToSortedArray());
    }
}

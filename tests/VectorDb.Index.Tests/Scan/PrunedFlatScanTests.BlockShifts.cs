using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

/// <summary>
/// Block shifts (pooled code lists: each 32-row block belongs to a list whose centre term raises its rows' scores) in
/// the one-query and the batched scans, against the top-k oracle over the shifted scores (the oracle's score plus the
/// block's shift, added in float as the collector adds it): at every level, with the per-row filter's wide factors and
/// offsets, shifts several times the spread of the scores (so the threshold each block sees differs widely), and a
/// partial last block (the per-block driver).
/// </summary>
public partial class PrunedFlatScanTests
{
    private const int ShiftedLists = 5;

    public static IEnumerable<object[]> BlockShiftCases() =>
        from level in SimdCapabilities.Available
        from bits in new[] { 1, 2, 4 }
        from k in new[] { 1, 10, 100, 5000 }
        select new object[] { level, bits, k };

    [Theory]
    [MemberData(nameof(BlockShiftCases))]
    public void Search_BlockShifts_EqualsShiftedOracle(SimdLevel level, int bits, int k)
    {
        var rng = new SplitMix64((ulong)(k * 31 + bits + 3));
        (Case c, float[] inverse, float[] ratios) = SpreadCase(ref rng, bits);
        (int[] blockLists, float[] listShifts) = ListsOf(ref rng, c);
        var scorer = new FastScanScorer(c.Store, c.Lut, level);
        var results = new TopK(k);

        FlatScan.SearchBlocks(scorer, c.Factors, c.Offsets, c.Deleted, results, 0, scorer.BlockCount, 0, null,
            RowTermsOf(inverse, ratios), new BlockShifts(blockLists, listShifts, listShifts.Max(MathF.Abs), new float[ShiftedLists]));

        Assert.Equal(0f, results.ScoreShift);
        Assert.Equal(ScanOracle.TopBySort(Shifted(c.OracleScores(), blockLists, listShifts), k, c.IsDeleted),
            results.ToSortedArray());
    }

    public static IEnumerable<object[]> BlockShiftBatchCases() =>
        from level in WideLevels
        from queries in new[] { 2, 3, 4 }
        from bits in new[] { 1, 2, 4 }
        from k in new[] { 1, 10, 100 }
        select new object[] { level, queries, bits, k };

    /// <summary>The batched scan with block shifts, each query with its own tables and shifts: every collector equals
    /// its own query's shifted oracle.</summary>
    [SkippableTheory]
    [MemberData(nameof(BlockShiftBatchCases))]
    public void SearchBatch_BlockShifts_EachQuery_EqualsShiftedOracle(SimdLevel level, int queries, int bits, int k)
    {
        RequireWideKernel(level);
        var rng = new SplitMix64((ulong)(queries * 977 + bits * 31 + k));
        (Case c, float[] inverse, float[] ratios) = SpreadCase(ref rng, bits);
        var cases = new Case[queries];
        var scorers = new IBlockScorer[queries];
        var results = new TopK[queries];
        var shifts = new float[queries][];
        int[] blockLists = [];
        for (int q = 0; q < queries; q++)
        {
            var lut = new FastScanLut(c.Store);
            lut.Build(ScanOracle.Gaussian(ref rng, 100), ScanOracle.Codebook(ref rng, bits, 100));
            cases[q] = c with { Lut = lut };
            scorers[q] = new FastScanScorer(c.Store, lut, level);
            results[q] = new TopK(k);
            (int[] lists, float[] listShifts) = ListsOf(ref rng, cases[q]);
            blockLists = q == 0 ? lists : blockLists; // the blocks' lists are the store's, the same for every query
            shifts[q] = listShifts;
        }

        FlatScan.SearchFastScanBatch(scorers, c.Factors, c.Offsets, c.Deleted, results, ScoreTermRange.Of(c.Factors, c.Offsets),
            RowTermsOf(inverse, ratios), 0, new BatchBlockShifts(blockLists, shifts, shifts.Max(s => s.Max(MathF.Abs)),
                shifts.Select(_ => new float[ShiftedLists]).ToArray()));

        for (int q = 0; q < queries; q++)
        {
            Assert.Equal(0f, results[q].ScoreShift);
            Assert.True(ScanOracle.TopBySort(Shifted(cases[q].OracleScores(), blockLists, shifts[q]), k, c.IsDeleted)
                .SequenceEqual(results[q].ToSortedArray()), $"{level}, {queries} queries, b={bits}, k={k}: query {q} differs");
        }
    }

    /// <summary>A list per block (seeded) and a shift per list spread over ±3 times the scores' standard deviation.</summary>
    private static (int[] BlockLists, float[] ListShifts) ListsOf(ref SplitMix64 rng, Case c)
    {
        float[] scores = c.OracleScores();
        double mean = scores.Average();
        double spread = Math.Sqrt(scores.Average(s => (s - mean) * (s - mean)));
        var blockLists = new int[(scores.Length + 31) / 32];
        for (int b = 0; b < blockLists.Length; b++)
        {
            blockLists[b] = (int)(rng.NextDouble() * ShiftedLists);
        }
        var listShifts = new float[ShiftedLists];
        for (int l = 0; l < listShifts.Length; l++)
        {
            listShifts[l] = (float)(6 * spread * (rng.NextDouble() - 0.5));
        }
        return (blockLists, listShifts);
    }

    private static float[] Shifted(float[] scores, int[] blockLists, float[] listShifts) =>
        scores.Select((s, row) => s + listShifts[blockLists[row / 32]]).ToArray();
}

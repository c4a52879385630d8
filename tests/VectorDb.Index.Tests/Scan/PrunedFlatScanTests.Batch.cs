using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

/// <summary>
/// The batched fast scan (four queries per pass at 512 bits, two at 256): its kernels against the integer oracle per
/// query, and its driver against the oracle's top k per query, at both wide levels (a process without one, such as
/// the CI's narrowed runs at 128 bits or scalar where the index searches one query at a time, reports those cases as
/// skipped).
/// </summary>
public partial class PrunedFlatScanTests
{
    [SkippableTheory]
    [MemberData(nameof(WideLevelsBitsDimensions))]
    public void BatchKernels_EachQuerysSums_EqualOracle(SimdLevel level, int bits, int dimension)
    {
        RequireWideKernel(level);
        CheckBatchSumsAgainstOracle(level, bits, dimension);
    }

    private static void CheckBatchSumsAgainstOracle(SimdLevel level, int bits, int dimension)
    {
        var rng = new SplitMix64((ulong)(dimension * 11 + bits));
        (FastScanCodes store, byte[][] codes) = FastScanKernelTests.Store(ref rng, 96, dimension, bits);
        var luts = new FastScanLut[FastScanKernel.BatchQueries];
        for (int q = 0; q < luts.Length; q++)
        {
            luts[q] = new FastScanLut(store);
            luts[q].Build(ScanOracle.Gaussian(ref rng, dimension), ScanOracle.Codebook(ref rng, bits, dimension));
        }
        int queries = FastScanKernel.BatchQueriesAt(level);
        SumFloor all = default; // minimum 0, and every sum is ≥ 0: each block is returned with every row a candidate
        for (int block = 0; block < 3; block++)
        {
            ref byte codesRef = ref MemoryMarshal.GetReference(store.Blocks(0, 3));
            int returned = level == SimdLevel.Vector512
                ? FastScanKernel.NextCandidateBlock512x4(ref codesRef, ref Tables(luts[0]), ref Tables(luts[1]), ref Tables(luts[2]),
                    ref Tables(luts[3]), luts[0].GroupCount, store.BlockBytes, block, 3, all, all, all, all, out Vector512x4 sums512,
                    out Mask32x4 masks512)
                : FastScanKernel.NextCandidateBlock256x2(ref codesRef, ref Tables(luts[0]), ref Tables(luts[1]), luts[0].GroupCount,
                    store.BlockBytes, block, 3, all, all, out sums512, out masks512);
            Assert.Equal(block, returned);
            for (int q = 0; q < queries; q++)
            {
                Assert.Equal(uint.MaxValue, masks512[q]);
                for (int v = 0; v < 32; v++)
                {
                    uint expected = ScanOracle.FastScanSum(luts[q].Tables, codes[block * 32 + v], bits);
                    Assert.True(expected == sums512[q].GetElement(v),
                        $"{level} b={bits} d={dimension} query {q} row {block * 32 + v}: kernel {sums512[q].GetElement(v)}, oracle {expected}");
                }
            }
        }
    }

    public static TheoryData<SimdLevel> WideLevelsData() => new(WideLevels);

    [SkippableTheory]
    [MemberData(nameof(WideLevelsData))]
    public void BatchKernels_QueriesWithUnreachableMinimum_NeverReturnABlock(SimdLevel level)
    {
        RequireWideKernel(level);
        var rng = new SplitMix64(5);
        (FastScanCodes store, _) = FastScanKernelTests.Store(ref rng, 320, 64, 4);
        var lut = new FastScanLut(store);
        lut.Build(ScanOracle.Gaussian(ref rng, 64), ScanOracle.Codebook(ref rng, 4, 64));
        SumFloor none = default(SumFloor).None();
        ref byte codes = ref MemoryMarshal.GetReference(store.Blocks(0, 10));
        int returned = level == SimdLevel.Vector512
            ? FastScanKernel.NextCandidateBlock512x4(ref codes, ref Tables(lut), ref Tables(lut), ref Tables(lut), ref Tables(lut),
                lut.GroupCount, store.BlockBytes, 0, 10, none, none, none, none, out _, out _)
            : FastScanKernel.NextCandidateBlock256x2(ref codes, ref Tables(lut), ref Tables(lut), lut.GroupCount,
                store.BlockBytes, 0, 10, none, none, out _, out _);
        Assert.Equal(10, returned);
    }

    public static IEnumerable<object[]> BatchCases() =>
        from level in WideLevels
        from queries in new[] { 2, 3, 4 }
        from bits in new[] { 1, 2, 4 }
        from k in new[] { 1, 10, 100, 5000 }
        select new object[] { level, queries, bits, k, bits == 2 };

    [SkippableTheory]
    [MemberData(nameof(BatchCases))]
    public void SearchBatch_EachQuery_EqualsOracle(SimdLevel level, int queries, int bits, int k, bool withOffsets)
    {
        RequireWideKernel(level);
        SearchBatchAgainstOracle(level, queries, bits, k, withOffsets);
    }

    private static void SearchBatchAgainstOracle(SimdLevel level, int queries, int bits, int k, bool withOffsets)
    {
        // 2,017 rows (a partial last block), every 7th deleted, factors in [0.5, 1.5] so the integer filter prunes.
        // Each query has its own tables over the same codes; k = 5000 exceeds the live rows (nothing pruned).
        var rng = new SplitMix64((ulong)(queries * 1000 + bits * 100 + k));
        Case c = Case.Create(ref rng, 2017, 100, bits, withOffsets, factorLow: 0.5f);
        CheckBatchAgainstOracle(level, c, ref rng, queries, k, default);
    }

    /// <summary>
    /// Scans <paramref name="queries"/> queries (each with its own random tables over <paramref name="c"/>'s codes)
    /// in one batched call, with <paramref name="rowTerms"/> for a per-row filter or none, and checks each query's
    /// collector against its oracle top k.
    /// </summary>
    private static void CheckBatchAgainstOracle(SimdLevel level, Case c, ref SplitMix64 rng, int queries, int k, RowTerms rowTerms)
    {
        int bits = c.Store.BitsPerCode;
        var cases = new Case[queries];
        var scorers = new IBlockScorer[queries];
        var results = new TopK[queries];
        for (int q = 0; q < queries; q++)
        {
            var lut = new FastScanLut(c.Store);
            lut.Build(ScanOracle.Gaussian(ref rng, 100), ScanOracle.Codebook(ref rng, bits, 100));
            cases[q] = c with { Lut = lut };
            scorers[q] = new FastScanScorer(c.Store, lut, level);
            results[q] = new TopK(k);
        }
        Assert.True(FlatScan.CanSearchBatch(scorers));

        FlatScan.SearchFastScanBatch(scorers, c.Factors, c.Offsets, c.Deleted, results, ScoreTermRange.Of(c.Factors, c.Offsets),
            rowTerms);

        for (int q = 0; q < queries; q++)
        {
            Assert.True(ScanOracle.TopBySort(cases[q].OracleScores(), k, c.IsDeleted).SequenceEqual(results[q].ToSortedArray()),
                $"{level}, {queries} queries, b={bits}, k={k}, per-row {!rowTerms.IsEmpty}: query {q} differs from the oracle");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(WideLevelsData))]
    public void CanSearchBatch_RefusesMixedCodesLevelsAndSizes(SimdLevel level)
    {
        var rng = new SplitMix64(9);
        (FastScanCodes store, _) = FastScanKernelTests.Store(ref rng, 64, 32, 4);
        (FastScanCodes other, _) = FastScanKernelTests.Store(ref rng, 64, 32, 4);
        var lut = new FastScanLut(store);
        lut.Build(ScanOracle.Gaussian(ref rng, 32), ScanOracle.Codebook(ref rng, 4, 32));
        IBlockScorer At(FastScanCodes codes, SimdLevel at) => new FastScanScorer(codes, lut, at);

        Assert.False(FlatScan.CanSearchBatch([At(store, SimdLevel.Scalar), At(store, SimdLevel.Scalar)]));
        RequireWideKernel(level);
        Assert.False(FlatScan.CanSearchBatch([At(store, level)]));
        Assert.False(FlatScan.CanSearchBatch(Enumerable.Repeat(At(store, level), 5).ToArray()));
        Assert.False(FlatScan.CanSearchBatch([At(store, level), At(other, level)]));
        Assert.False(FlatScan.CanSearchBatch([At(store, level), At(store, SimdLevel.Scalar)]));
        Assert.True(FlatScan.CanSearchBatch([At(store, level), At(store, level), At(store, level)]));
    }

    private static ref byte Tables(FastScanLut lut) => ref MemoryMarshal.GetReference(lut.Tables);
}

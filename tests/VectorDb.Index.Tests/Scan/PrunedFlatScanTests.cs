using VectorDb.Index.Common;
using VectorDb.Index.Rerank;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

/// <summary>
/// The pruned fast-scan driver (16-bit block sums compared with an integer threshold before any float work) against
/// an independent oracle (integer sums from the plain codes, scores rounded as documented, top-k by full sort) and
/// against the generic per-block driver, at every level; and its 16-bit kernels against the integer oracle.
/// </summary>
public partial class PrunedFlatScanTests
{
    /// <summary>The levels with a 16-bit kernel. Both are always theory data: a process limited to Vector128 or scalar
    /// (the CI's narrowed runs) reports their cases as skipped, with the reason, instead of passing them empty.</summary>
    private static readonly SimdLevel[] WideLevels = [SimdLevel.Vector256, SimdLevel.Vector512];

    public static IEnumerable<object[]> WideLevelsBitsDimensions() =>
        from level in WideLevels
        from bits in new[] { 1, 2, 4 }
        // The 16-bit kernels take up to 256 groups: every covered test dimension, plus the limit itself.
        from dimension in ScanOracle.Dimensions.Where(d => d * bits <= 1024).Append(1024 / bits).Distinct()
        select new object[] { level, bits, dimension };

    public static IEnumerable<object[]> WideLevelsBits() =>
        from level in WideLevels
        from bits in new[] { 1, 2, 4 }
        select new object[] { level, bits };

    /// <summary>Skips (counted, with the reason) unless this process has <paramref name="level"/>'s 16-bit kernel.</summary>
    private static void RequireWideKernel(SimdLevel level)
    {
        LevelSkip.UnlessAvailable(level);
        LevelSkip.Unless(FastScanKernel.IsSupported(level), level.ToString(), $"the {level} fast-scan kernel (AVX2 / AVX-512BW)");
    }

    [SkippableTheory]
    [MemberData(nameof(WideLevelsBitsDimensions))]
    public void Sums16_EqualOracleIntegerSums(SimdLevel level, int bits, int dimension)
    {
        RequireWideKernel(level);
        CheckSums16AgainstOracle(level, bits, dimension);
    }

    private static void CheckSums16AgainstOracle(SimdLevel level, int bits, int dimension)
    {
        var rng = new SplitMix64((ulong)(dimension * 7 + bits));
        (FastScanCodes store, byte[][] codes) = FastScanKernelTests.Store(ref rng, 64, dimension, bits);
        var lut = new FastScanLut(store);
        lut.Build(ScanOracle.Gaussian(ref rng, dimension), ScanOracle.Codebook(ref rng, bits, dimension));
        Assert.True(FastScanKernel.HasSums16(level, lut.GroupCount));

        for (int block = 0; block < 2; block++)
        {
            ushort[] sums = Sums16(level, store, block, lut);
            for (int v = 0; v < 32; v++)
            {
                uint expected = ScanOracle.FastScanSum(lut.Tables, codes[block * 32 + v], bits);
                Assert.True(expected == sums[v], $"{level} b={bits} d={dimension} row {block * 32 + v}: kernel {sums[v]}, oracle {expected}");
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(WideLevelsBits))]
    public void Sums16_MaximalTablesAt256Groups_SumExactlyWithoutWrapping(SimdLevel level, int bits)
    {
        RequireWideKernel(level);
        Sums16_MaximalTablesAt256Groups(level, bits);
    }

    private static void Sums16_MaximalTablesAt256Groups(SimdLevel level, int bits)
    {
        // 256 groups with every table entry used at 255 (weights 1, centroids 0..2^b−1, all-maximal codes): each row
        // sums to 256·255 = 65280, the largest the 16-bit path may see; a lane fold that loses a carry or mixes
        // vectors would show here. Different rows get different codes so lanes are distinguishable.
        int dimension = 1024 / bits;
        var store = new FastScanCodes(dimension, bits);
        var lut = new FastScanLut(store);
        lut.Build(Enumerable.Repeat(1f, dimension).ToArray(), Enumerable.Range(0, 1 << bits).Select(k => (float)k).ToArray());
        var rows = new byte[32][];
        for (int v = 0; v < 32; v++)
        {
            // Row v: the first v coordinates hold 0, the rest the maximal code.
            rows[v] = Enumerable.Range(0, dimension).Select(j => (byte)(j < v ? 0 : (1 << bits) - 1)).ToArray();
            store.Add(rows[v]);
        }
        ushort[] sums = Sums16(level, store, 0, lut);
        Assert.Equal(65280u, ScanOracle.FastScanSum(lut.Tables, rows[0], bits));
        for (int v = 0; v < 32; v++)
        {
            Assert.Equal(ScanOracle.FastScanSum(lut.Tables, rows[v], bits), sums[v]);
        }
    }

    public static IEnumerable<object[]> LevelsCases() =>
        from level in SimdCapabilities.Available
        from k in new[] { 1, 10, 100, 5000 }
        from withOffsets in new[] { false, true }
        select new object[] { level, k, withOffsets };

    [Theory]
    [MemberData(nameof(LevelsCases))]
    public void Search_PositiveFactors_EqualsOracleAndPerBlockDriverBitForBit(SimdLevel level, int k, bool withOffsets)
    {
        // 2,017 rows (63 full blocks and a partial one), factors in [0.5, 1.5] (the filter is enabled), every 7th row
        // deleted. k = 5000 exceeds the live rows, so the threshold stays −∞ and nothing may be pruned.
        var rng = new SplitMix64((ulong)(k * 2 + (withOffsets ? 1 : 0)));
        Case c = Case.Create(ref rng, 2017, 100, 4, withOffsets, factorLow: 0.5f);
        var pruned = new TopK(k);
        var perBlock = new TopK(k);
        var scorer = new FastScanScorer(c.Store, c.Lut, level);

        FlatScan.Search(scorer, c.Factors, c.Offsets, c.Deleted, pruned);
        FlatScan.SearchBlocksPerBlock(scorer, c.Factors, c.Offsets, c.Deleted, perBlock, 0, scorer.BlockCount);

        ScoredSlot[] expected = ScanOracle.TopBySort(c.OracleScores(), k, c.IsDeleted);
        Assert.Equal(expected, pruned.ToSortedArray());
        Assert.Equal(expected, perBlock.ToSortedArray());
    }

    public static IEnumerable<object[]> LevelsBitsSmall() =>
        from level in SimdCapabilities.Available
        from bits in new[] { 1, 2, 4 }
        select new object[] { level, bits };

    [Theory]
    [MemberData(nameof(LevelsBitsSmall))]
    public void Search_SubRangeWithIdBaseAndMixedFactorSigns_EqualsOracle(SimdLevel level, int bits)
    {
        // A block range in the middle (as an IVF list or a parallel worker scans it) with an id base, once with
        // positive factors and once with a negative one among them (the filter must switch itself off).
        foreach (float factorLow in new[] { 0.25f, -0.5f })
        {
            var rng = new SplitMix64((ulong)bits * 13 + (factorLow > 0 ? 1UL : 2UL));
            Case c = Case.Create(ref rng, 700, 57, bits, withOffsets: bits == 2, factorLow);
            var results = new TopK(20);
            const int idBase = 100_000, firstBlock = 3, endBlock = 19;
            FlatScan.SearchBlocks(new FastScanScorer(c.Store, c.Lut, level), c.Factors, c.Offsets, c.Deleted, results,
                firstBlock, endBlock, idBase);

            float[] scores = c.OracleScores();
            ScoredSlot[] expected = ScanOracle.TopBySort(scores, 20,
                row => c.IsDeleted(row) || row < firstBlock * 32 || row >= endBlock * 32);
            Assert.Equal(expected.Select(p => new ScoredSlot(p.Slot + idBase, p.Score)), results.ToSortedArray());
        }
    }

    [Theory]
    [MemberData(nameof(ScanOracle.Levels), MemberType = typeof(ScanOracle))]
    public void SearchParallel_PrunedWorkers_EqualSingleThreaded(SimdLevel level)
    {
        var rng = new SplitMix64(77);
        Case c = Case.Create(ref rng, 3000, 100, 4, withOffsets: false, factorLow: 0.9f);
        var scorer = new FastScanScorer(c.Store, c.Lut, level);
        var single = new TopK(50);
        FlatScan.Search(scorer, c.Factors, c.Offsets, c.Deleted, single);
        for (int threads = 2; threads <= 5; threads++)
        {
            var parallel = new TopK(50);
            FlatScan.SearchParallel(scorer, c.Factors, c.Offsets, c.Deleted, parallel, threads);
            Assert.Equal(single.ToSortedArray(), parallel.ToSortedArray());
        }
        Assert.Equal(ScanOracle.TopBySort(c.OracleScores(), 50, c.IsDeleted), single.ToSortedArray());
    }

    private static ushort[] Sums16(SimdLevel level, FastScanCodes store, int block, FastScanLut lut)
    {
        ref byte codes = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(store.Block(block));
        ref byte tables = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(lut.Tables);
        var sums = new ushort[32];
        if (level == SimdLevel.Vector512)
        {
            System.Runtime.Intrinsics.Vector512.CopyTo(FastScanKernel.Sums16x512(ref codes, ref tables, lut.GroupCount), sums);
        }
        else
        {
            FastScanKernel.Sums16x256(ref codes, ref tables, lut.GroupCount, out var first16, out var last16);
            System.Runtime.Intrinsics.Vector256.CopyTo(first16, sums.AsSpan(0, 16));
            System.Runtime.Intrinsics.Vector256.CopyTo(last16, sums.AsSpan(16, 16));
        }
        return sums;
    }

    private sealed record Case(FastScanCodes Store, byte[][] Codes, FastScanLut Lut, float[] Factors, float[] Offsets, ulong[] Deleted)
    {
        public static Case Create(ref SplitMix64 rng, int count, int dimension, int bits, bool withOffsets, float factorLow)
        {
            (FastScanCodes store, byte[][] codes) = FastScanKernelTests.Store(ref rng, count, dimension, bits);
            var lut = new FastScanLut(store);
            lut.Build(ScanOracle.Gaussian(ref rng, dimension), ScanOracle.Codebook(ref rng, bits, dimension));
            var factors = new float[count];
            for (int i = 0; i < count; i++)
            {
                factors[i] = factorLow + (float)rng.NextDouble();
            }
            float[] offsets = withOffsets ? ScanOracle.Gaussian(ref rng, count, 0.1) : [];
            var deleted = new ulong[(count + 63) / 64];
            for (int row = 0; row < count; row += 7)
            {
                deleted[row / 64] |= 1UL << (row % 64);
            }
            return new Case(store, codes, lut, factors, offsets, deleted);
        }

        public bool IsDeleted(int row) => row % 7 == 0;

        /// <summary>A_i·fma(Δ, S_i, β) (or fma(raw, A_i, B_i)) with S_i from the plain codes, rounded as documented.</summary>
        public float[] OracleScores() => Enumerable.Range(0, Codes.Length).Select(i =>
        {
            float raw = MathF.FusedMultiplyAdd(Lut.Scale, ScanOracle.FastScanSum(Lut.Tables, Codes[i], Store.BitsPerCode), Lut.Bias);
            return Offsets.Length == 0 ? raw * Factors[i] : MathF.FusedMultiplyAdd(raw, Factors[i], Offsets[i]);
        }).ToArray();
    }
}

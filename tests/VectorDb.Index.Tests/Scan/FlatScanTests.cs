using VectorDb.Index.Common;
using VectorDb.Index.Rerank;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

public class FlatScanTests
{
    public static IEnumerable<object[]> LevelsAndCounts() =>
        from level in SimdCapabilities.Available
        from count in ScanOracle.Counts
        select new object[] { level, count };

    [Theory]
    [MemberData(nameof(LevelsAndCounts))]
    public void Search_EqualsSortOfOracleScores_AndSkipsDeleted(SimdLevel level, int count)
    {
        var rng = new SplitMix64((ulong)count + 99);
        const int dimension = 100, bits = 4, k = 10;
        Fixture f = Fixture.Create(ref rng, count, dimension, bits, withOffsets: count % 2 == 1);
        ulong[] deleted = new ulong[(count + 63) / 64];
        for (int row = 0; row < count; row += 3)
        {
            deleted[row / 64] |= 1UL << (row % 64);
        }

        var results = new TopK(k);
        FlatScan.Search(new FastScanScorer(f.Store, f.Lut, level), f.Scales, f.Offsets, deleted, results);

        ScoredSlot[] expected = ScanOracle.TopBySort(f.OracleScores(), k, row => row % 3 == 0);
        Assert.Equal(expected, results.ToSortedArray());
        Assert.DoesNotContain(results.ToSortedArray(), p => p.Slot % 3 == 0);
        Assert.Equal(Math.Min(k, count - (count + 2) / 3), results.Count);
    }

    [Theory]
    [MemberData(nameof(ScanOracle.Levels), MemberType = typeof(ScanOracle))]
    public void Search_KLargerThanCount_ReturnsEveryLiveRowInOrder(SimdLevel level)
    {
        var rng = new SplitMix64(5);
        Fixture f = Fixture.Create(ref rng, 40, 33, 2, withOffsets: false);
        var results = new TopK(100);
        FlatScan.Search(new FastScanScorer(f.Store, f.Lut, level), f.Scales, default, default, results);
        Assert.Equal(40, results.Count);
        Assert.Equal(ScanOracle.TopBySort(f.OracleScores(), 100), results.ToSortedArray());
    }

    [Theory]
    [MemberData(nameof(ScanOracle.Levels), MemberType = typeof(ScanOracle))]
    public void Search_DuplicateVectors_TieBreaksToSmallerIds(SimdLevel level)
    {
        // 70 copies of one vector with equal factors: every score ties, so the k smallest rows must win.
        var rng = new SplitMix64(8);
        var store = new FastScanCodes(20, 4);
        byte[] row = ScanOracle.RandomCodes(ref rng, 1, 20, 4)[0];
        for (int i = 0; i < 70; i++)
        {
            store.Add(row);
        }
        var lut = new FastScanLut(store);
        lut.Build(ScanOracle.Gaussian(ref rng, 20), ScanOracle.Codebook(ref rng, 4, 20));
        var results = new TopK(5);
        FlatScan.Search(new FastScanScorer(store, lut, level), Enumerable.Repeat(1f, 70).ToArray(), default, default, results);
        Assert.Equal([0, 1, 2, 3, 4], results.ToSortedArray().Select(p => p.Slot));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(1000, 2)]
    [InlineData(1000, 3)]
    [InlineData(1000, 7)]
    [InlineData(33, 4)]
    public void SearchParallel_EqualsSingleThreaded(int count, int threads)
    {
        var rng = new SplitMix64((ulong)(count * 10 + threads));
        Fixture f = Fixture.Create(ref rng, count, 64, 1, withOffsets: true);
        var deleted = new ulong[(count + 63) / 64];
        deleted[0] = 0x5555_0000_FFFF_0001UL;
        var scorer = new FastScanScorer(f.Store, f.Lut);
        var single = new TopK(25);
        FlatScan.Search(scorer, f.Scales, f.Offsets, deleted, single);
        var parallel = new TopK(25);
        FlatScan.SearchParallel(scorer, f.Scales, f.Offsets, deleted, parallel, threads);
        Assert.Equal(single.ToSortedArray(), parallel.ToSortedArray());
    }

    public static IEnumerable<object[]> LevelsAndWideBits() =>
        from level in SimdCapabilities.Available
        from bits in new[] { 3, 8 }
        select new object[] { level, bits };

    [Theory]
    [MemberData(nameof(LevelsAndWideBits))]
    public void Search_WideCodes_EqualsSortOfOracleScores(SimdLevel level, int bits)
    {
        var rng = new SplitMix64((ulong)bits + 500);
        const int count = 1000, dimension = 50;
        byte[][] codes = ScanOracle.RandomCodes(ref rng, count, dimension, bits);
        float[] weights = ScanOracle.Gaussian(ref rng, dimension);
        float[] centroids = ScanOracle.Codebook(ref rng, bits, dimension);
        float[] scales = ScanOracle.Gaussian(ref rng, count);
        var deleted = new ulong[16];
        deleted[3] = ulong.MaxValue;

        var results = new TopK(30);
        FlatScan.Search(new ReferenceByteCodeScorer(codes, weights, centroids, level), scales, default, deleted, results);

        var expectedScores = codes.Select((row, i) =>
        {
            float sum = 0;
            for (int j = 0; j < dimension; j++)
            {
                sum += weights[j] * centroids[row[j]];
            }
            return sum * scales[i];
        }).ToArray();
        Assert.Equal(ScanOracle.TopBySort(expectedScores, 30, row => row / 64 == 3), results.ToSortedArray());
    }

    [Fact]
    public void Search_AfterWarmUp_AllocatesNothingPerQuery()
    {
        var rng = new SplitMix64(12);
        Fixture f = Fixture.Create(ref rng, 3000, 100, 4, withOffsets: true);
        float[] query = ScanOracle.Gaussian(ref rng, 100);
        float[] centroids = ScanOracle.Codebook(ref rng, 4, 100);
        var scorer = new FastScanScorer(f.Store, f.Lut);
        var results = new TopK(50);
        var deleted = new ulong[47];
        var sorted = new ScoredSlot[50];
        void Query()
        {
            f.Lut.Build(query, centroids);
            results.Clear();
            FlatScan.Search(scorer, f.Scales, f.Offsets, deleted, results);
            results.CopySortedTo(sorted);
        }
        for (int i = 0; i < 3; i++)
        {
            Query();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        Query();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Search_ShortScalesOrOffsets_ThrowsClearly()
    {
        var rng = new SplitMix64(1);
        Fixture f = Fixture.Create(ref rng, 10, 8, 4, withOffsets: false);
        var scorer = new FastScanScorer(f.Store, f.Lut);
        Assert.Contains("scales holds 9", Assert.Throws<ArgumentException>(
            () => FlatScan.Search(scorer, new float[9], default, default, new TopK(1))).Message);
        Assert.Contains("offsets holds 2", Assert.Throws<ArgumentException>(
            () => FlatScan.Search(scorer, new float[10], new float[2], default, new TopK(1))).Message);
    }

    /// <summary>A store with random codes, tables, per-row factors A_i and optional offsets B_i.</summary>
    private sealed record Fixture(FastScanCodes Store, byte[][] Codes, FastScanLut Lut, float[] Scales, float[] Offsets)
    {
        public static Fixture Create(ref SplitMix64 rng, int count, int dimension, int bits, bool withOffsets)
        {
            (FastScanCodes store, byte[][] codes) = FastScanKernelTests.Store(ref rng, count, dimension, bits);
            var lut = new FastScanLut(store);
            lut.Build(ScanOracle.Gaussian(ref rng, dimension), ScanOracle.Codebook(ref rng, bits, dimension));
            var scales = new float[count];
            for (int i = 0; i < count; i++)
            {
                scales[i] = (float)(0.5 + rng.NextDouble());
            }
            float[] offsets = withOffsets ? ScanOracle.Gaussian(ref rng, count, 0.1) : [];
            return new Fixture(store, codes, lut, scales, offsets);
        }

        /// <summary>A_i·(Δ·S_i + bias) (+ B_i) with S_i from the oracle's integer sum, rounded as the scan rounds.</summary>
        public float[] OracleScores() => Enumerable.Range(0, Codes.Length).Select(i =>
        {
            float raw = MathF.FusedMultiplyAdd(Lut.Scale, ScanOracle.FastScanSum(Lut.Tables, Codes[i], Store.BitsPerCode), Lut.Bias);
            return Offsets.Length == 0 ? raw * Scales[i] : MathF.FusedMultiplyAdd(raw, Scales[i], Offsets[i]);
        }).ToArray();
    }
}

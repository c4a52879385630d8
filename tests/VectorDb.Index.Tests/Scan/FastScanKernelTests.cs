using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

public class FastScanKernelTests
{
    public static IEnumerable<object[]> LevelsBitsDimensions() =>
        from level in SimdCapabilities.Available
        from bits in new[] { 1, 2, 4 }
        from dimension in ScanOracle.Dimensions
        select new object[] { level, bits, dimension };

    [Theory]
    [MemberData(nameof(LevelsBitsDimensions))]
    public void ScanBlock_EveryLevel_EqualsOracleIntegerSums(SimdLevel level, int bits, int dimension)
    {
        var rng = new SplitMix64((ulong)(dimension * 31 + bits));
        const int count = 45; // one full block and a partial one
        (FastScanCodes store, byte[][] codes) = Store(ref rng, count, dimension, bits);
        var lut = new FastScanLut(store);
        lut.Build(ScanOracle.Gaussian(ref rng, dimension), ScanOracle.Codebook(ref rng, bits, dimension));

        var sums = new uint[FastScanCodes.BlockSize];
        for (int block = 0; block < store.BlockCount; block++)
        {
            FastScanKernel.ScanBlock(level, store, block, lut, sums);
            for (int v = 0; v < FastScanCodes.BlockSize && block * 32 + v < count; v++)
            {
                uint expected = ScanOracle.FastScanSum(lut.Tables, codes[block * 32 + v], bits);
                Assert.True(expected == sums[v], $"{level} b={bits} d={dimension} row {block * 32 + v}: kernel {sums[v]}, oracle {expected}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(LevelsBitsDimensions))]
    public void Scorer_EveryLevel_WithinDerivedBoundOfExactDotAndSameAsScalar(SimdLevel level, int bits, int dimension)
    {
        var rng = new SplitMix64((ulong)(dimension * 17 + bits + 1000));
        const int count = 40;
        (FastScanCodes store, byte[][] codes) = Store(ref rng, count, dimension, bits);
        float[] weights = ScanOracle.Gaussian(ref rng, dimension);
        float[] centroids = ScanOracle.Codebook(ref rng, bits, dimension);
        var lut = new FastScanLut(store);
        lut.Build(weights, centroids);
        // Quantization: each of the G real tables is off by ≤ Δ/2 (ErrorBound = G·Δ/2). Float32: table entries, the
        // bias sum and the final multiply-add each carry relative error ≤ 2^-24 of values bounded by Σ|w_j|·max|c|;
        // 1e-5 of that magnitude is > 100× their sum and still 2-3 orders below typical G·Δ/2.
        double slack = 1e-5 * ScanOracle.Magnitude(weights, centroids);
        Assert.True(lut.Scale > 0);

        var raw = new float[32];
        var scalarRaw = new float[32];
        var scorer = new FastScanScorer(store, lut, level);
        var scalar = new FastScanScorer(store, lut, SimdLevel.Scalar);
        for (int block = 0; block < store.BlockCount; block++)
        {
            scorer.ScoreBlock(block, raw);
            scalar.ScoreBlock(block, scalarRaw);
            for (int v = 0; v < 32 && block * 32 + v < count; v++)
            {
                double exact = ScanOracle.ExactDot(weights, centroids, codes[block * 32 + v]);
                double error = Math.Abs(raw[v] - exact);
                Assert.True(error <= lut.ErrorBound + slack,
                    $"{level} b={bits} d={dimension} row {block * 32 + v}: |{raw[v]} − {exact}| = {error} > G·Δ/2 = {lut.ErrorBound} + {slack}");
                Assert.Equal(BitConverter.SingleToInt32Bits(scalarRaw[v]), BitConverter.SingleToInt32Bits(raw[v]));
            }
        }
    }

    public static IEnumerable<object[]> LevelsOffsets() =>
        from level in SimdCapabilities.Available
        from withOffsets in new[] { false, true }
        select new object[] { level, withOffsets };

    [Theory]
    [MemberData(nameof(LevelsOffsets))]
    public void ScoreBlock_FusedFullBlock_EqualsRawTimesFactorBitForBit(SimdLevel level, bool withOffsets)
    {
        var rng = new SplitMix64(withOffsets ? 21UL : 22UL);
        (FastScanCodes store, _) = Store(ref rng, 64, 300, 4);
        var lut = new FastScanLut(store);
        lut.Build(ScanOracle.Gaussian(ref rng, 300), ScanOracle.Codebook(ref rng, 4, 300));
        float[] factors = ScanOracle.Gaussian(ref rng, 32);
        float[] offsets = withOffsets ? ScanOracle.Gaussian(ref rng, 32) : [];
        var scorer = new FastScanScorer(store, lut, level);
        var raw = new float[32];
        var scores = new float[32];
        scorer.ScoreBlock(1, raw);
        float threshold = raw[5] * factors[5];
        uint mask = scorer.ScoreBlock(1, factors, offsets, threshold, scores);
        for (int v = 0; v < 32; v++)
        {
            float expected = withOffsets ? MathF.FusedMultiplyAdd(raw[v], factors[v], offsets[v]) : raw[v] * factors[v];
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(scores[v]));
            Assert.Equal(expected >= threshold, (mask >> v & 1) == 1);
        }
    }

    public static IEnumerable<object[]> LevelsBits() =>
        from level in SimdCapabilities.Available
        from bits in new[] { 1, 2, 4 }
        select new object[] { level, bits };

    [Theory]
    [MemberData(nameof(LevelsBits))]
    public void ScanBlock_D4096WorstCaseTables_SumsWithoutOverflow(SimdLevel level, int bits)
    {
        // Weights 1 and centroids 0..2^b−1 make every table's largest entry (nibble 15) the widest range, so it
        // quantizes to 255; all-maximal codes then hit 255 in every group: S = G·255 (1,044,480 for b=4), the
        // largest sum any table can produce, spread over 16, 8 or 4 flushes of 256 groups.
        const int dimension = 4096;
        var store = new FastScanCodes(dimension, bits);
        var maximal = Enumerable.Repeat((byte)((1 << bits) - 1), dimension).ToArray();
        for (int i = 0; i < 32; i++)
        {
            store.Add(maximal);
        }
        var lut = new FastScanLut(store);
        lut.Build(Enumerable.Repeat(1f, dimension).ToArray(), Enumerable.Range(0, 1 << bits).Select(k => (float)k).ToArray());
        int groups = dimension * bits / 4;
        Assert.All(Enumerable.Range(0, groups), g => Assert.Equal(255, lut.Tables[g * 16 + 15]));

        var sums = new uint[32];
        FastScanKernel.ScanBlock(level, store, 0, lut, sums);
        Assert.All(sums, s => Assert.Equal((uint)(groups * 255), s));
        Assert.Equal(groups * 255 * (double)lut.Scale + lut.Bias, lut.Dequantize(sums[0]), 1e-3);
        Assert.Equal(dimension * ((1 << bits) - 1), lut.Dequantize(sums[0]), 1e-1);
    }

    [Fact]
    public void Lut_ConstantWeightsOfZero_GivesZeroScaleAndExactZero()
    {
        var store = new FastScanCodes(10, 4);
        store.Add(new byte[10]);
        var lut = new FastScanLut(store);
        lut.Build(new float[10], Enumerable.Range(0, 16).Select(k => (float)k).ToArray());
        Assert.Equal(0f, lut.Scale);
        var raw = new float[32];
        new FastScanScorer(store, lut).ScoreBlock(0, raw);
        Assert.Equal(0f, raw[0]);
    }

    [Fact]
    public void Lut_Build_RejectsBadInputWithClearMessage()
    {
        var lut = new FastScanLut(8, 2);
        var centroids = new float[] { -1, 0, 1, 2 };
        Assert.Contains("expected 8 weights", Assert.Throws<ArgumentException>(() => lut.Build(new float[7], centroids)).Message);
        Assert.Contains("4 centroids", Assert.Throws<ArgumentException>(() => lut.Build(new float[8], new float[3])).Message);
        var nan = new float[8];
        nan[3] = float.NaN;
        Assert.Contains("weights[3]", Assert.Throws<ArgumentException>(() => lut.Build(nan, centroids)).Message);
    }

    [Fact]
    public void ScanBlock_TablesForOtherShape_Throws()
    {
        var store = new FastScanCodes(64, 4);
        store.Add(new byte[64]);
        var lut = new FastScanLut(128, 4);
        Assert.Throws<ArgumentException>(() => FastScanKernel.ScanBlock(SimdLevel.Scalar, store, 0, lut, new uint[32]));
        Assert.Throws<ArgumentException>(() => new FastScanScorer(store, lut));
        Assert.Throws<ArgumentOutOfRangeException>(() => FastScanKernel.ScanBlock(SimdLevel.Scalar, store, 1, new FastScanLut(store), new uint[32]));
    }

    internal static (FastScanCodes Store, byte[][] Codes) Store(ref SplitMix64 rng, int count, int dimension, int bits)
    {
        byte[][] codes = ScanOracle.RandomCodes(ref rng, count, dimension, bits);
        var store = new FastScanCodes(dimension, bits);
        foreach (byte[] row in codes)
        {
            store.Add(row);
        }
        return (store, codes);
    }
}

using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

public class Int8DotKernelTests
{
    public static IEnumerable<object[]> LevelsBitsDimensions() =>
        from level in SimdCapabilities.Available
        from bits in new[] { 5, 8 }
        from dimension in ScanOracle.Dimensions
        select new object[] { level, bits, dimension };

    [Theory]
    [MemberData(nameof(LevelsBitsDimensions))]
    public void ScanBlock_EveryLevel_EqualsIntegerOracleAndBoundsExactDot(SimdLevel level, int bits, int dimension)
    {
        var rng = new SplitMix64((ulong)(dimension * 7 + bits));
        const int count = 40;
        byte[][] codes = ScanOracle.RandomCodes(ref rng, count, dimension, bits);
        float[] weights = ScanOracle.Gaussian(ref rng, dimension);
        float[] centroids = ScanOracle.Codebook(ref rng, bits, dimension);
        var grid = new Int8Grid(centroids);
        var store = new Int8GridCodes(dimension, grid);
        foreach (byte[] row in codes)
        {
            store.Add(row);
        }
        var query = new Int8Query(dimension);
        query.Build(weights);
        var scorer = new Int8DotScorer(store, query, level);

        var dots = new int[32];
        var raw = new float[32];
        for (int block = 0; block < store.BlockCount; block++)
        {
            Int8DotKernel.ScanBlock(level, store, block, query, dots);
            scorer.ScoreBlock(block, raw);
            for (int v = 0; v < 32 && block * 32 + v < count; v++)
            {
                byte[] row = codes[block * 32 + v];
                int expected = 0;
                double bound = 0;
                for (int j = 0; j < dimension; j++)
                {
                    expected += query.Weights[j] * grid.Value(row[j]);
                    // Derived per-term bound |w·c − s_w·q·s_c·g| ≤ |w|·s_c/2 + |c|·s_w/2 + s_c·s_w/4 (Int8Grid docs).
                    bound += Math.Abs(weights[j]) * grid.Step / 2 + Math.Abs(centroids[row[j]]) * query.Step / 2 + grid.Step * query.Step / 4;
                }
                Assert.Equal(expected, dots[v]);
                double exact = ScanOracle.ExactDot(weights, centroids, row);
                // Float32 slack: the step products and the final multiply, ≤ 1e-5 of Σ|w|·max|c| (see FastScanKernelTests).
                double slack = 1e-5 * ScanOracle.Magnitude(weights, centroids);
                Assert.True(Math.Abs(raw[v] - exact) <= bound + slack, $"{level} b={bits} d={dimension}: |{raw[v]} − {exact}| > {bound}");
            }
        }
    }

    /// <summary>The test above passes whether or not VPDPBUSD ran (the scalar loop gives the same integers), so this
    /// one checks the selection: at each wide level the kernel must take the VNNI path where AVX-VNNI is present
    /// (ScanBlock dispatches on UsesVnni), and the case is reported as skipped, with the reason, where it is not.</summary>
    [SkippableTheory]
    [InlineData(SimdLevel.Vector256)]
    [InlineData(SimdLevel.Vector512)]
    public void WideLevel_WithAvxVnni_RunsTheVnniKernel(SimdLevel level)
    {
        LevelSkip.UnlessAvailable(level);
        LevelSkip.Unless(System.Runtime.Intrinsics.X86.AvxVnni.IsSupported, "AVX-VNNI", $"the VPDPBUSD kernel at {level}");
        Assert.True(Int8DotKernel.UsesVnni(level), $"AVX-VNNI is present but {level} would run the scalar loop");
        Assert.False(Int8DotKernel.UsesVnni(SimdLevel.Vector128));
        Assert.False(Int8DotKernel.UsesVnni(SimdLevel.Scalar));
    }

    [Fact]
    public void Grid_MapsLargestCentroidTo127AndRoundsWithinHalfStep()
    {
        float[] centroids = [-2f, -0.5f, 0.013f, 4f];
        var grid = new Int8Grid(centroids);
        Assert.Equal(4f / 127f, grid.Step);
        Assert.Equal(127, grid.Value(3));
        for (int k = 0; k < 4; k++)
        {
            Assert.True(Math.Abs(centroids[k] - grid.Step * grid.Value(k)) <= grid.Step / 2 * (1 + 1e-6));
        }
        Assert.Throws<ArgumentException>(() => new Int8Grid(new float[3]));
    }

    [Fact]
    public void Query_ZeroWeights_GivesZeroDots()
    {
        var grid = new Int8Grid([-1f, 1f]);
        var store = new Int8GridCodes(9, grid);
        store.Add(new byte[] { 1, 0, 1, 1, 0, 0, 1, 0, 1 });
        var query = new Int8Query(9);
        query.Build(new float[9]);
        var dots = new int[32];
        Int8DotKernel.ScanBlock(SimdCapabilities.Best, store, 0, query, dots);
        Assert.Equal(0, dots[0]);
    }
}

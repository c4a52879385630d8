using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

public class GatherKernelTests
{
    public static IEnumerable<object[]> LevelsBitsDimensions() =>
        from level in SimdCapabilities.Available
        from bits in new[] { 3, 5, 6, 7, 8 }
        from dimension in ScanOracle.Dimensions
        select new object[] { level, bits, dimension };

    [Theory]
    [MemberData(nameof(LevelsBitsDimensions))]
    public void ScanBlock_EveryLevel_EqualsSequentialFloatOracleAndBoundsExactDot(SimdLevel level, int bits, int dimension)
    {
        var rng = new SplitMix64((ulong)(dimension * 13 + bits));
        const int count = 37;
        byte[][] codes = ScanOracle.RandomCodes(ref rng, count, dimension, bits);
        var store = new ByteCodes(dimension, bits);
        foreach (byte[] row in codes)
        {
            store.Add(row);
        }
        float[] weights = ScanOracle.Gaussian(ref rng, dimension);
        float[] centroids = ScanOracle.Codebook(ref rng, bits, dimension);
        var lut = new FloatLut(store);
        lut.Build(weights, centroids);

        var raw = new float[32];
        for (int block = 0; block < store.BlockCount; block++)
        {
            GatherKernel.ScanBlock(level, store, block, lut, raw);
            for (int v = 0; v < 32 && block * 32 + v < count; v++)
            {
                byte[] row = codes[block * 32 + v];
                float sequential = 0;
                double magnitude = 0;
                for (int j = 0; j < dimension; j++)
                {
                    float term = weights[j] * centroids[row[j]];
                    sequential += term;
                    magnitude += Math.Abs(term);
                }
                Assert.Equal(BitConverter.SingleToInt32Bits(sequential), BitConverter.SingleToInt32Bits(raw[v]));
                // Recursive float32 summation of d rounded products: |error| ≤ (d+1)·u·Σ|terms|, u = 2^-24.
                double bound = (dimension + 1) * Math.Pow(2, -24) * magnitude;
                double exact = ScanOracle.ExactDot(weights, centroids, row);
                Assert.True(Math.Abs(raw[v] - exact) <= bound, $"{level} b={bits} d={dimension}: |{raw[v]} − {exact}| > {bound}");
            }
        }
    }

    [Fact]
    public void ByteCodes_CodeAndAddPacked_RoundTrip()
    {
        var rng = new SplitMix64(4);
        byte[][] codes = ScanOracle.RandomCodes(ref rng, 40, 19, 5);
        var plain = new ByteCodes(19, 5);
        var packed = new ByteCodes(19, 5);
        foreach (byte[] row in codes)
        {
            plain.Add(row);
            var bytes = new byte[PackedCodes.PackedLength(19, 5)];
            PackedCodes.Pack(row, 5, bytes);
            packed.AddPacked(bytes);
        }
        for (int row = 0; row < 40; row++)
        {
            for (int j = 0; j < 19; j++)
            {
                Assert.Equal(codes[row][j], plain.Code(row, j));
                Assert.Equal(codes[row][j], packed.Code(row, j));
            }
        }
    }

    [Fact]
    public void BadInput_ThrowsClearly()
    {
        var store = new ByteCodes(3, 3);
        Assert.Contains("does not fit in 3 bits", Assert.Throws<ArgumentException>(() => store.Add(new byte[] { 1, 8, 0 })).Message);
        Assert.Equal(0, store.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteCodes(3, 9));
        store.Add(new byte[3]);
        Assert.Throws<ArgumentException>(() => GatherKernel.ScanBlock(SimdLevel.Scalar, store, 0, new FloatLut(3, 4), new float[32]));
        Assert.Contains("8 centroids", Assert.Throws<ArgumentException>(() => new FloatLut(store).Build(new float[3], new float[7])).Message);
    }
}

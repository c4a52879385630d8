using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

/// <summary>
/// Table build: the vectorised build gives the scalar build's bytes, scale and bias bit for bit, and both match the
/// documented definition computed independently here (T_g[n] summed in coordinate order, offset = min, Δ = widest
/// range / 255, q = round-half-even((T − min)/Δ)).
/// </summary>
public class FastScanLutTests
{
    public static IEnumerable<object[]> BitsDimensions() =>
        from bits in new[] { 1, 2, 4 }
        from dimension in ScanOracle.Dimensions
        select new object[] { bits, dimension };

    [Theory]
    [MemberData(nameof(BitsDimensions))]
    public void VectorisedBuild_EqualsScalarBuildAndDefinition(int bits, int dimension)
    {
        var rng = new SplitMix64((ulong)(dimension * 3 + bits + 500));
        float[] weights = ScanOracle.Gaussian(ref rng, dimension);
        weights[0] = 0f; // a zero weight gives signed-zero entries (0·c), which must not change any byte
        float[] centroids = ScanOracle.Codebook(ref rng, bits, dimension);
        var scalar = new FastScanLut(dimension, bits);
        var vectorised = new FastScanLut(dimension, bits);
        scalar.BuildScalar(weights, centroids);
        vectorised.BuildVectorized(weights, centroids);

        Assert.Equal(BitConverter.SingleToInt32Bits(scalar.Scale), BitConverter.SingleToInt32Bits(vectorised.Scale));
        Assert.Equal(BitConverter.SingleToInt32Bits(scalar.Bias), BitConverter.SingleToInt32Bits(vectorised.Bias));
        Assert.Equal(scalar.Tables.ToArray(), vectorised.Tables.ToArray());

        (byte[] tables, float scale, float bias) = Definition(weights, centroids, bits, vectorised.GroupCount);
        Assert.Equal(tables, vectorised.Tables.ToArray());
        Assert.Equal(scale, vectorised.Scale);
        Assert.Equal(bias, vectorised.Bias);
    }

    [Fact]
    public void Build_RebuildForNextQuery_OverwritesEveryRealTable()
    {
        var rng = new SplitMix64(9);
        var lut = new FastScanLut(100, 4);
        float[] centroids = ScanOracle.Codebook(ref rng, 4, 100);
        lut.Build(ScanOracle.Gaussian(ref rng, 100), centroids);
        float[] second = ScanOracle.Gaussian(ref rng, 100);
        lut.Build(second, centroids);
        Assert.Equal(Definition(second, centroids, 4, lut.GroupCount).Tables, lut.Tables.ToArray());
    }

    /// <summary>The documented tables, straight from the definition (independent of FastScanLut's code).</summary>
    private static (byte[] Tables, float Scale, float Bias) Definition(float[] w, float[] c, int bits, int groupCount)
    {
        int perGroup = 4 / bits, realGroups = (w.Length + perGroup - 1) / perGroup;
        var entries = new float[realGroups, 16];
        float widest = 0;
        double offsetSum = 0;
        var offsets = new float[realGroups];
        for (int g = 0; g < realGroups; g++)
        {
            for (int n = 0; n < 16; n++)
            {
                float sum = 0f;
                for (int i = 0; i < perGroup && g * perGroup + i < w.Length; i++)
                {
                    sum += w[g * perGroup + i] * c[(n >> (i * bits)) & ((1 << bits) - 1)];
                }
                entries[g, n] = sum;
            }
            float low = Enumerable.Range(0, 16).Min(n => entries[g, n]);
            float high = Enumerable.Range(0, 16).Max(n => entries[g, n]);
            widest = Math.Max(widest, high - low);
            offsets[g] = low;
            offsetSum += low;
        }
        var tables = new byte[groupCount * 16];
        float inverse = widest > 0 ? 255f / widest : 0f;
        for (int g = 0; g < realGroups; g++)
        {
            for (int n = 0; n < 16; n++)
            {
                tables[g * 16 + n] = (byte)Math.Clamp(MathF.Round((entries[g, n] - offsets[g]) * inverse, MidpointRounding.ToEven), 0f, 255f);
            }
        }
        return (tables, widest / 255f, (float)offsetSum);
    }
}

using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Quantization;

public class QuantizerTests
{
    public static TheoryData<QuantizerScheme> Schemes() => new(QuantizerSchemes.All);

    private static IVectorQuantizer Create(QuantizerScheme scheme, int d, int bits, ulong seed = 7, SimdLevel? level = null) =>
        VectorQuantizer.Create(new QuantizerOptions(d, bits, seed, scheme), level);

    private static byte[] Encode(IVectorQuantizer quantizer, float[] x)
    {
        var record = new byte[quantizer.Layout.RecordSize];
        quantizer.Encode(x, record);
        return record;
    }

    private static float[] Decode(IVectorQuantizer quantizer, byte[] record)
    {
        var x = new float[quantizer.Options.Dimension];
        quantizer.Decode(record, x);
        return x;
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void Encode_EveryLevelWritesIdenticalBytes(QuantizerScheme scheme)
    {
        foreach (int d in new[] { 1, 7, 64, 100, 129, 768 })
        {
            foreach (int bits in new[] { 1, 2, 3, 4, 5, 8 })
            {
                float[] x = RandomVectors.Gaussian(d, (ulong)(d + bits));
                byte[] expected = Encode(Create(scheme, d, bits, level: SimdLevel.Scalar), x);
                foreach (var level in SimdCapabilities.Available)
                {
                    Assert.True(expected.AsSpan().SequenceEqual(Encode(Create(scheme, d, bits, level: level), x)),
                        $"{scheme.Id()} d={d} b={bits}: level {level} differs from scalar");
                }
            }
        }
    }

    [Theory]
    [InlineData(QuantizerScheme.EdenUnbiased, "8cd2eefd504a1c0dbc51af3fa053d340")]
    [InlineData(QuantizerScheme.EdenBiased, "8cd2eefd504a1c0d62bcab3fe427d140")]
    [InlineData(QuantizerScheme.TurboQuantMse, "8cd2eefd504a1c0d2d04bd3f9733e640")]
    [InlineData(QuantizerScheme.TurboQuantProd, "12da1e5ae62562092d04bd3f9ef1033fa053d340")]
    public void Encode_GoldenBytes(QuantizerScheme scheme, string expectedHex)
    {
        // One fixed vector (d = 20: an overlapping-window rotation, 3-bit codes straddle bytes) per scheme. A change
        // here means stored records change meaning: bump CodeLayout.LayoutVersion or fix the regression.
        float[] x = Enumerable.Range(0, 20).Select(i => (float)Math.Sin(i * 0.7) * (i % 3 + 1)).ToArray();
        var quantizer = Create(scheme, 20, 3, seed: 42);
        string actual = Convert.ToHexString(Encode(quantizer, x)).ToLowerInvariant();
        Assert.Equal(expectedHex, actual);
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void ZeroVector_EncodesToZeroMetadataAndDecodesToZeros(QuantizerScheme scheme)
    {
        foreach (int bits in new[] { 1, 4 })
        {
            var quantizer = Create(scheme, 33, bits);
            byte[] record = Encode(quantizer, new float[33]);
            Assert.Equal(0f, quantizer.Layout.ReadScale(record));
            Assert.Equal(0f, quantizer.Layout.ReadNorm(record));
            Assert.All(Decode(quantizer, record), v => Assert.Equal(0f, v));
            var estimator = quantizer.CreateEstimator();
            float[] q = RandomVectors.Gaussian(33, 5);
            estimator.Prepare(q);
            Assert.Equal(0f, estimator.InnerProduct(record));
            Assert.Equal(0f, estimator.Cosine(record));
            Assert.Equal(RandomVectors.Dot(q, q), estimator.SquaredL2(record), 1e-4);
        }
    }

    [Theory]
    [InlineData(QuantizerScheme.EdenUnbiased)]
    [InlineData(QuantizerScheme.EdenBiased)]
    [InlineData(QuantizerScheme.TurboQuantProd)]
    public void DimensionOne_IsReconstructedExactly(QuantizerScheme scheme)
    {
        // d = 1: Π = ±1 and z = ±1; both EDEN scales and tq-prod's QJL (B = γ at d = 1) recover x exactly.
        foreach (int bits in new[] { 1, 2, 8 })
        {
            var quantizer = Create(scheme, 1, bits);
            foreach (float value in new[] { 3.5f, -0.25f, 1e-20f })
            {
                float[] decoded = Decode(quantizer, Encode(quantizer, [value]));
                Assert.True(Math.Abs(decoded[0] - value) <= 1e-6 * Math.Abs(value), $"{scheme.Id()} b={bits}: {value} → {decoded[0]}");
            }
        }
    }

    [Fact]
    public void DimensionOne_TurboQuantMseKeepsTheSign()
    {
        var quantizer = Create(QuantizerScheme.TurboQuantMse, 1, 2);
        float[] decoded = Decode(quantizer, Encode(quantizer, [-2f]));
        Assert.True(decoded[0] < 0 && float.IsFinite(decoded[0]));
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void HugeNorm_EncodesWithoutOverflowAndScalesLinearly(QuantizerScheme scheme)
    {
        float[] unit = RandomVectors.Gaussian(768, 3);
        float[] huge = unit.Select(v => v * 1e30f).ToArray();
        var quantizer = Create(scheme, 768, 4);
        byte[] small = Encode(quantizer, unit);
        byte[] large = Encode(quantizer, huge);
        Assert.True(small.AsSpan(0, quantizer.Layout.MetadataOffset).SequenceEqual(large.AsSpan(0, quantizer.Layout.MetadataOffset)),
            "codes must not depend on the norm");
        float[] decoded = Decode(quantizer, large);
        Assert.All(decoded, v => Assert.True(float.IsFinite(v)));
        double relative = RandomVectors.SquaredDistance(decoded, huge) / RandomVectors.Dot(huge, huge);
        Assert.InRange(relative, 0.0, 0.1);
        var estimator = quantizer.CreateEstimator();
        estimator.Prepare(RandomVectors.Gaussian(768, 4));
        Assert.True(float.IsFinite(estimator.InnerProduct(large)));
        Assert.True(float.IsFinite(estimator.Cosine(large)));
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void NonFiniteInput_IsRejectedNamingTheIndexAndLeavesTheRecordUntouched(QuantizerScheme scheme)
    {
        var quantizer = Create(scheme, 16, 3);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            float[] x = RandomVectors.Gaussian(16, 1);
            x[5] = bad;
            x[9] = float.NaN;
            var record = Enumerable.Repeat((byte)0x5A, quantizer.Layout.RecordSize).ToArray();
            var error = Assert.Throws<ArgumentException>(() => quantizer.Encode(x, record));
            Assert.Contains("vector[5]", error.Message);
            Assert.All(record, b => Assert.Equal(0x5A, b));
        }
        var estimator = quantizer.CreateEstimator();
        float[] query = new float[16];
        query[2] = float.NaN;
        Assert.Contains("query[2]", Assert.Throws<ArgumentException>(() => estimator.Prepare(query)).Message);
    }

    [Fact]
    public void WrongLengths_AreRejected()
    {
        var quantizer = Create(QuantizerScheme.EdenUnbiased, 16, 3);
        Assert.Throws<ArgumentException>(() => quantizer.Encode(new float[15], new byte[quantizer.Layout.RecordSize]));
        Assert.Throws<ArgumentException>(() => quantizer.Encode(new float[16], new byte[quantizer.Layout.RecordSize + 1]));
        Assert.Throws<ArgumentException>(() => quantizer.Decode(new byte[quantizer.Layout.RecordSize], new float[17]));
        Assert.Throws<ArgumentException>(() => quantizer.Decode(new byte[3], new float[16]));
        float[] tooBig = new float[16];
        tooBig[0] = float.MaxValue;
        Assert.Contains("norm", Assert.Throws<ArgumentException>(() => quantizer.Encode(tooBig, new byte[quantizer.Layout.RecordSize])).Message);
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorQuantizer.Create(new QuantizerOptions(0, 4, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorQuantizer.Create(new QuantizerOptions(8, 9, 1)));
        Assert.Throws<ArgumentException>(() => VectorQuantizer.Create(new QuantizerOptions(8, 4, 1, CodebookId: "uniform")));
        Assert.Throws<ArgumentException>(() => VectorQuantizer.Create(new QuantizerOptions(1, 4, 1, CodebookId: Codebook.BetaId)));
        Assert.Equal(QuantizerScheme.TurboQuantProd, QuantizerSchemes.Parse("tq-prod"));
        Assert.Throws<ArgumentException>(() => QuantizerSchemes.Parse("eden"));
    }

    [Theory]
    [InlineData(QuantizerScheme.EdenUnbiased, 768, 4, 384, -1, 392)]
    [InlineData(QuantizerScheme.TurboQuantMse, 100, 3, 38, -1, 46)]
    [InlineData(QuantizerScheme.TurboQuantProd, 100, 3, 25, 25, 50)]
    [InlineData(QuantizerScheme.TurboQuantProd, 9, 1, 0, 0, 14)]
    public void Layout_SizesAndOffsets(QuantizerScheme scheme, int d, int bits, int codeBytes, int signOffset, int recordSize)
    {
        var layout = CodeLayout.For(new QuantizerOptions(d, bits, 1, scheme));
        Assert.Equal(codeBytes, layout.CodeBytes);
        Assert.Equal(signOffset, layout.SignOffset);
        Assert.Equal(recordSize, layout.RecordSize);
        Assert.Equal(layout.RecordSize - 4, layout.NormOffset);
        Assert.Equal(2, CodeLayout.LayoutVersion);
        Assert.Equal(1, CodeLayout.UncentredLayoutVersion);
    }

    [Fact]
    public void QjlConstant_MatchesGammaFunctionValues()
    {
        // κ_d = √2·Γ((d+1)/2)/Γ(d/2): κ_1 = √(2/π), κ_2 = √(π/2), κ_3 = 2√(2/π); κ_d/√d → 1 − 1/(4d).
        Assert.Equal(Math.Sqrt(2 / Math.PI), TurboQuantProdQuantizer.GaussianNormMean(1), 1e-14);
        Assert.Equal(Math.Sqrt(Math.PI / 2), TurboQuantProdQuantizer.GaussianNormMean(2), 1e-14);
        Assert.Equal(2 * Math.Sqrt(2 / Math.PI), TurboQuantProdQuantizer.GaussianNormMean(3), 1e-14);
        double d = 768;
        Assert.Equal(1 - 1 / (4 * d), TurboQuantProdQuantizer.GaussianNormMean(768) / Math.Sqrt(d), 1e-6);
    }
}

using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Estimation;

/// <summary>The estimator never decodes; its oracle here decodes the record (x̂ = Πᵀ(...)) and takes ⟨q, x̂⟩ in
/// double. They agree up to float rounding: tolerance 1e-4·‖q‖·‖x̂‖ (float sums of ≤ 1536 terms err ~1e-6 relative).</summary>
public class InnerProductEstimatorTests
{
    public static TheoryData<QuantizerScheme, SimdLevel> SchemesAndLevels()
    {
        var data = new TheoryData<QuantizerScheme, SimdLevel>();
        foreach (var scheme in QuantizerSchemes.All)
        {
            foreach (var level in SimdCapabilities.Available)
            {
                data.Add(scheme, level);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SchemesAndLevels))]
    public void Estimates_MatchDecodeThenDotOracle(QuantizerScheme scheme, SimdLevel level)
    {
        foreach (int d in new[] { 1, 5, 100, 257, 768 })
        {
            for (int bits = 1; bits <= 8; bits++)
            {
                var quantizer = VectorQuantizer.Create(new QuantizerOptions(d, bits, 3, scheme), level);
                var estimator = quantizer.CreateEstimator();
                float[] q = RandomVectors.Gaussian(d, 900 + (ulong)d);
                estimator.Prepare(q);
                var record = new byte[quantizer.Layout.RecordSize];
                var decoded = new float[d];
                for (int i = 0; i < 3; i++)
                {
                    float[] x = RandomVectors.Gaussian(d, (ulong)(d * 100 + bits * 10 + i));
                    quantizer.Encode(x, record);
                    quantizer.Decode(record, decoded);
                    double qNorm = Math.Sqrt(RandomVectors.Dot(q, q));
                    double xHatNorm = Math.Sqrt(RandomVectors.Dot(decoded, decoded));
                    double oracle = RandomVectors.Dot(q, decoded);
                    double tolerance = 1e-4 * qNorm * xHatNorm + 1e-6;
                    float ip = estimator.InnerProduct(record);
                    Assert.True(Math.Abs(ip - oracle) <= tolerance, $"{scheme.Id()} d={d} b={bits}: estimate {ip}, decode-then-dot {oracle}");

                    double n = quantizer.Layout.ReadNorm(record);
                    Assert.Equal(Math.Max(0, RandomVectors.Dot(q, q) + n * n - 2 * (double)ip), estimator.SquaredL2(record), 1e-3 * (1 + qNorm * qNorm + n * n));
                    Assert.Equal(ip / (qNorm * n), estimator.Cosine(record), 1e-4);
                    if (!scheme.IsUnbiased())
                    {
                        // Biased schemes store N = ‖x̂‖: the L2 estimate is the distance to the reconstruction.
                        Assert.Equal(xHatNorm, n, 1e-4 * (1 + xHatNorm));
                        Assert.Equal(RandomVectors.SquaredDistance(q, decoded), estimator.SquaredL2(record), 1e-3 * (1 + qNorm * qNorm));
                    }
                    else
                    {
                        Assert.Equal(Math.Sqrt(RandomVectors.Dot(x, x)), n, 1e-4 * n);
                    }
                }
            }
        }
    }

    [Fact]
    public void SquaredL2_IsNeverNegative()
    {
        // q = x: the true distance is 0 and the unbiased 1-bit estimate overshoots ⟨q, x⟩ half the time.
        var quantizer = VectorQuantizer.Create(new QuantizerOptions(64, 1, 3, QuantizerScheme.EdenUnbiased));
        var estimator = quantizer.CreateEstimator();
        var record = new byte[quantizer.Layout.RecordSize];
        int clamped = 0;
        for (int i = 0; i < 50; i++)
        {
            float[] x = RandomVectors.Gaussian(64, 40 + (ulong)i);
            quantizer.Encode(x, record);
            estimator.Prepare(x);
            float l2 = estimator.SquaredL2(record);
            Assert.True(l2 >= 0);
            clamped += l2 == 0 ? 1 : 0;
        }
        Assert.True(clamped > 0, "expected some raw estimates below zero (clamped to 0)");
    }

    [Fact]
    public void InnerProducts_BatchEqualsSingleRecordCalls()
    {
        var quantizer = VectorQuantizer.Create(new QuantizerOptions(100, 4, 3, QuantizerScheme.TurboQuantProd));
        int size = quantizer.Layout.RecordSize;
        var records = new byte[5 * size];
        for (int i = 0; i < 5; i++)
        {
            quantizer.Encode(RandomVectors.Gaussian(100, (ulong)i), records.AsSpan(i * size, size));
        }
        var estimator = quantizer.CreateEstimator();
        estimator.Prepare(RandomVectors.Gaussian(100, 99));
        var batch = new float[5];
        estimator.InnerProducts(records, batch);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(estimator.InnerProduct(records.AsSpan(i * size, size)), batch[i]);
        }
        Assert.Throws<ArgumentException>(() => estimator.InnerProducts(records.AsSpan(1), batch));
    }

    [Fact]
    public void Scoring_BeforePrepare_Throws()
    {
        var quantizer = VectorQuantizer.Create(new QuantizerOptions(16, 2, 3));
        var estimator = quantizer.CreateEstimator();
        Assert.Throws<InvalidOperationException>(() => estimator.InnerProduct(new byte[quantizer.Layout.RecordSize]));
    }

    [Fact]
    public void ZeroQuery_ScoresZero()
    {
        var quantizer = VectorQuantizer.Create(new QuantizerOptions(16, 2, 3));
        var record = new byte[quantizer.Layout.RecordSize];
        quantizer.Encode(RandomVectors.Gaussian(16, 1), record);
        var estimator = quantizer.CreateEstimator();
        estimator.Prepare(new float[16]);
        Assert.Equal(0f, estimator.InnerProduct(record));
        Assert.Equal(0f, estimator.Cosine(record));
    }
}

using VectorDb.Index.Quantization;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Quantization;

/// <summary>
/// E_seed[estimate] = ⟨q, x⟩ over independent rotation seeds. For n i.i.d. errors with standard deviation σ the
/// sample mean is within 4·σ̂/√n of the truth except with probability ≈ 6e-5 (normal tail; n ≥ 2000 makes the CLT
/// and σ̂ ≈ σ accurate), which is the false-failure chance per assertion. A biased scheme run through the same test
/// must fail it (negative control), so the test has power.
/// </summary>
public class UnbiasednessTests
{
    private const int Seeds = 3000;
    private const double Z = 4.0;

    private static (double Mean, double StandardError) EstimateErrors(QuantizerScheme scheme, int d, int bits)
    {
        float[] x = RandomVectors.Gaussian(d, 1);
        float[] q = RandomVectors.Gaussian(d, 2);
        for (int j = 0; j < d; j++)
        {
            q[j] += x[j]; // correlate: cos(q, x) ≈ 0.7, where a multiplicative bias is easy to see
        }
        double truth = RandomVectors.Dot(q, x);
        double sum = 0, sumSquares = 0;
        for (int s = 0; s < Seeds; s++)
        {
            var quantizer = VectorQuantizer.Create(new QuantizerOptions(d, bits, 1_000_003UL * (ulong)s + 17, scheme));
            var record = new byte[quantizer.Layout.RecordSize];
            quantizer.Encode(x, record);
            var estimator = quantizer.CreateEstimator();
            estimator.Prepare(q);
            double error = estimator.InnerProduct(record) - truth;
            sum += error;
            sumSquares += error * error;
        }
        double mean = sum / Seeds;
        double variance = (sumSquares - Seeds * mean * mean) / (Seeds - 1);
        return (mean, Math.Sqrt(variance / Seeds));
    }

    [Theory]
    [InlineData(QuantizerScheme.EdenUnbiased, 1)]
    [InlineData(QuantizerScheme.EdenUnbiased, 2)]
    [InlineData(QuantizerScheme.EdenUnbiased, 4)]
    [InlineData(QuantizerScheme.TurboQuantProd, 1)]
    [InlineData(QuantizerScheme.TurboQuantProd, 2)]
    [InlineData(QuantizerScheme.TurboQuantProd, 3)]
    public void InnerProductEstimate_IsUnbiasedOverRotationSeeds(QuantizerScheme scheme, int bits)
    {
        var (mean, standardError) = EstimateErrors(scheme, 64, bits);
        Assert.True(Math.Abs(mean) < Z * standardError, $"{scheme.Id()} b={bits}: mean error {mean:g4}, 4σ/√n = {Z * standardError:g4}");
    }

    [Theory]
    [InlineData(QuantizerScheme.TurboQuantMse, 2)]
    [InlineData(QuantizerScheme.EdenBiased, 2)]
    public void NegativeControl_BiasedSchemesFailTheSameTest(QuantizerScheme scheme, int bits)
    {
        // E⟨q, x̂⟩ ≈ (1 − D_2)·⟨q, x⟩ for these: a bias of ≈ −0.12·⟨q, x⟩, far outside 4σ/√n.
        var (mean, standardError) = EstimateErrors(scheme, 64, bits);
        Assert.True(Math.Abs(mean) > Z * standardError, $"{scheme.Id()} b={bits}: bias {mean:g4} not detected (4σ/√n = {Z * standardError:g4})");
    }
}

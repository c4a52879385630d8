using VectorDb.Index.Rotation;
using VectorDb.Index.Tests.Rotation.Reference;

namespace VectorDb.Index.Tests.Rotation;

/// <summary>
/// After the default two rounds, the coordinates of a rotated adversarial input (one-hot, all-ones) must look like
/// N(0, 1/d) draws, the law a Haar-random rotation gives and the Lloyd-Max codebooks assume.
/// <para>
/// Test: one-sample Kolmogorov-Smirnov of z_j = √d·y_j/‖x‖ (j = 0..d-1) against N(0, 1), α = 0.001. Rationale: under
/// the Haar model the d coordinates are exchangeable and nearly independent N(0, 1/d), so D_d exceeds the critical
/// value c(α)/√d with probability ≈ α. The seeds are fixed, so the test is deterministic: α is the chance that an
/// ideal rotation would have been flagged for one given seed; over the 12 cases here that is ≤ 1.2%, and would show
/// up once, when the seeds were chosen, never as flakiness. Two rounds of a Hadamard rotation put one-hot inputs on a
/// lattice of step 2/√d in z; that costs at most ≈ φ(0)·(1/√d) ≈ 0.014 of KS distance at d = 768, well below the
/// critical 0.070. The negative control shows the test has power: one round maps a one-hot input to ±1/√d
/// everywhere (D ≈ 0.34).
/// </para>
/// </summary>
public class HadamardRotationDistributionTests
{
    private const double Alpha = 0.001;

    public static TheoryData<int, string> Cases => new()
    {
        { 768, "one-hot-first" }, { 768, "one-hot-last" }, { 768, "all-ones" },
        { 1536, "one-hot-first" }, { 1536, "one-hot-last" }, { 1536, "all-ones" },
        { 1000, "one-hot-first" }, { 1000, "one-hot-last" }, { 1000, "all-ones" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TwoRounds_AdversarialInput_PassesKolmogorovSmirnovAgainstGaussian(int dimension, string input)
    {
        float[] x = MakeInput(dimension, input);
        double critical = Statistics.KolmogorovSmirnovCritical(dimension, Alpha);
        foreach (ulong seed in RotationTestData.Seeds)
        {
            double distance = KsDistance(new HadamardRotation(dimension, seed), x);
            Assert.True(distance < critical,
                $"d={dimension} {input} seed={seed}: KS distance {distance:F4} ≥ critical {critical:F4} (α={Alpha}).");
        }
    }

    [Theory]
    [InlineData(768)]
    [InlineData(1536)]
    public void OneRound_OneHotInput_IsRejected(int dimension)
    {
        double distance = KsDistance(new HadamardRotation(dimension, 42, rounds: 1), RotationTestData.OneHot(dimension, 0));
        Assert.True(distance > 0.3, $"one round on a one-hot input should give ±1/√d everywhere, KS {distance:F4}");
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(-1.959963984540054, 0.025)]
    [InlineData(3.0, 0.9986501019683699)]
    [InlineData(-4.0, 3.167124183311998e-05)]
    public void NormalCdf_MatchesTabulatedValues(double z, double expected) =>
        Assert.True(Math.Abs(Statistics.NormalCdf(z) - expected) <= 2e-7 * Math.Max(expected, 1e-3),
            $"Φ({z}) = {Statistics.NormalCdf(z):R}, expected {expected:R}");

    private static float[] MakeInput(int dimension, string input) => input switch
    {
        "one-hot-first" => RotationTestData.OneHot(dimension, 0),
        "one-hot-last" => RotationTestData.OneHot(dimension, dimension - 1),
        "all-ones" => RotationTestData.AllOnes(dimension),
        _ => throw new ArgumentException(input),
    };

    private static double KsDistance(HadamardRotation rotation, float[] x)
    {
        float[] y = new float[x.Length];
        rotation.Forward(x, y);
        double scale = Math.Sqrt(x.Length) / RotationTestData.Norm(x);
        return Statistics.KolmogorovSmirnovVersusStandardNormal(y.Select(v => v * scale));
    }
}

using VectorDb.Index.Quantization;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Quantization;

public class CodebookTests
{
    public static TheoryData<int> AllBits => new() { 1, 2, 3, 4, 5, 6, 7, 8 };

    [Theory]
    [MemberData(nameof(AllBits))]
    public void GaussianTable_RegeneratedByIndependentNewtonSolver(int bits)
    {
        double[] solved = GaussianLloydMaxSolver.PositiveCentroids(bits);
        ReadOnlySpan<double> shipped = Codebook.Gaussian(bits).CentroidsExact;
        int half = solved.Length;
        for (int k = 0; k < half; k++)
        {
            Assert.True(Math.Abs(shipped[half + k] - solved[k]) < 1e-9,
                $"b={bits}, positive centroid {k}: shipped {shipped[half + k]:R}, solver {solved[k]:R}");
            Assert.Equal(-shipped[half + k], shipped[half - 1 - k]);
        }
        double solvedMse = GaussianLloydMaxSolver.MeanSquaredError(solved);
        Assert.True(Math.Abs(Codebook.Gaussian(bits).MeanSquaredError - solvedMse) < 1e-12 * Math.Max(1, 1 / solvedMse),
            $"b={bits}: shipped D {Codebook.Gaussian(bits).MeanSquaredError:R}, solver {solvedMse:R}");
    }

    [Theory]
    [InlineData(1, 0.363380)]
    [InlineData(2, 0.117482)]
    [InlineData(3, 0.0345478)]
    [InlineData(4, 0.00950101)]
    [InlineData(5, 0.00250467)]
    [InlineData(6, 0.00064424)]
    [InlineData(7, 0.000163478)]
    [InlineData(8, 4.11851e-05)]
    public void GaussianMse_MatchesPublishedValues(int bits, double expected)
    {
        // Both the shipped constant and the MSE recomputed from the shipped centroids by the test's closed form.
        double recomputed = GaussianLloydMaxSolver.MeanSquaredError(Codebook.Gaussian(bits).CentroidsExact[(1 << (bits - 1))..].ToArray());
        Assert.True(Math.Abs(recomputed / expected - 1) < 1e-4, $"b={bits}: D recomputed {recomputed:R}, published {expected}");
        Assert.True(Math.Abs(Codebook.Gaussian(bits).MeanSquaredError / expected - 1) < 1e-4);
    }

    [Fact]
    public void GaussianCentroids_MatchAlgorithmsTable()
    {
        // algorithms.md §2, printed to 6 decimals.
        AssertPositive(Codebook.Gaussian(2), [0.452780, 1.510418], 1e-6);
        AssertPositive(Codebook.Gaussian(4), [0.128395, 0.388048, 0.656759, 0.942340, 1.256231, 1.618046, 2.069017, 2.732590], 1e-6);
        Assert.Equal([-0.981599f, 0f, 0.981599f], Codebook.Gaussian(2).Thresholds.ToArray().Select(t => MathF.Round(t, 6)));
    }

    [Theory]
    [MemberData(nameof(AllBits))]
    public void BetaAtDimension3_IsTheUniformQuantizer(int bits)
    {
        // At d = 3 a rotated coordinate is uniform on [−1, 1] (Archimedes), i.e. uniform on [−√3, √3] in the
        // unit-variance frame, whose Lloyd-Max quantizer is the uniform one with MSE (2√3/2^b)²/12 = 4^−b.
        var codebook = Codebook.Beta(3, bits);
        int levels = 1 << bits;
        double step = 2 * Math.Sqrt(3) / levels;
        for (int k = 0; k < levels; k++)
        {
            double expected = -Math.Sqrt(3) + (k + 0.5) * step;
            Assert.True(Math.Abs(codebook.CentroidsExact[k] - expected) < 1e-8, $"b={bits}, centroid {k}: {codebook.CentroidsExact[k]:R} vs {expected:R}");
        }
        Assert.True(Math.Abs(codebook.MeanSquaredError / Math.Pow(4, -bits) - 1) < 1e-8, $"b={bits}: D = {codebook.MeanSquaredError:R}");
    }

    [Theory]
    [InlineData(128, new[] { "0.3609", "0.1160", "0.03397", "0.00931" })]
    [InlineData(768, new[] { "0.3630", "0.1172", "0.03445", "0.00947" })]
    [InlineData(1536, new[] { "0.3632", "0.1174", "0.03450", "0.00949" })]
    public void BetaMse_MatchesAlgorithmsFiniteDimensionTable(int dimension, string[] printed)
    {
        // algorithms.md §2 prints these rounded; allow 0.6 of a unit in the last printed decimal place.
        for (int bits = 1; bits <= 4; bits++)
        {
            double expected = double.Parse(printed[bits - 1], System.Globalization.CultureInfo.InvariantCulture);
            double lastPlace = Math.Pow(10, -(printed[bits - 1].Length - 2));
            double actual = Codebook.Beta(dimension, bits).MeanSquaredError;
            Assert.True(Math.Abs(actual - expected) <= 0.6 * lastPlace, $"d={dimension}, b={bits}: D = {actual:R}, table {printed[bits - 1]}");
        }
    }

    [Fact]
    public void BetaCentroids_AtDimension128TwoBits_MatchAlgorithmsTable() =>
        AssertPositive(Codebook.Beta(128, 2), [0.4525, 1.5052], 0.6e-4);

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void BetaAtHugeDimension_ConvergesToGaussian(int bits)
    {
        // The law differs from N(0,1) by O(1/d); at d = 10⁶ centroids agree to ~1e-5 (tolerance 1e-4).
        var beta = Codebook.Beta(1_000_000, bits);
        var gauss = Codebook.Gaussian(bits);
        for (int k = 0; k < gauss.Levels; k++)
        {
            Assert.True(Math.Abs(beta.CentroidsExact[k] - gauss.CentroidsExact[k]) < 1e-4, $"b={bits}, centroid {k}");
        }
        Assert.True(Math.Abs(beta.MeanSquaredError / gauss.MeanSquaredError - 1) < 1e-4);
    }

    [Fact]
    public void BetaEightBits_SmallDimension_Converges()
    {
        var codebook = Codebook.Beta(2, 8);
        Assert.Equal(256, codebook.Levels);
        Assert.True(codebook.CentroidsExact[^1] < Math.Sqrt(2));
        AssertAscending(codebook);
    }

    [Theory]
    [MemberData(nameof(AllBits))]
    public void Thresholds_AreAscendingMidpointsWithZeroInTheMiddle(int bits)
    {
        foreach (var codebook in new[] { Codebook.Gaussian(bits), Codebook.Beta(100, bits) })
        {
            AssertAscending(codebook);
            Assert.Equal(codebook.Levels - 1, codebook.Thresholds.Length);
            Assert.Equal(0f, codebook.Thresholds[codebook.Levels / 2 - 1]);
            for (int k = 0; k < codebook.Thresholds.Length; k++)
            {
                Assert.Equal((float)(0.5 * (codebook.CentroidsExact[k] + codebook.CentroidsExact[k + 1])), codebook.Thresholds[k]);
            }
        }
    }

    [Fact]
    public void Create_ByIdReturnsTheSameCachedInstance()
    {
        Assert.Same(Codebook.Gaussian(3), Codebook.Create("gauss", 77, 3));
        Assert.Same(Codebook.Beta(77, 3), Codebook.Create("beta", 77, 3));
        Assert.Equal(77, Codebook.Create("beta", 77, 3).Dimension);
    }

    [Fact]
    public void Create_RejectsBadArguments()
    {
        var unknown = Assert.Throws<ArgumentException>(() => Codebook.Create("lloyd", 16, 4));
        Assert.Contains("gauss", unknown.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Codebook.Gaussian(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Codebook.Gaussian(9));
        var dimOne = Assert.Throws<ArgumentOutOfRangeException>(() => Codebook.Beta(1, 2));
        Assert.Contains("gauss", dimOne.Message);
    }

    private static void AssertPositive(Codebook codebook, double[] expected, double tolerance)
    {
        int half = codebook.Levels / 2;
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(codebook.CentroidsExact[half + k] - expected[k]) <= tolerance,
                $"{codebook.Id} b={codebook.Bits} centroid {k}: {codebook.CentroidsExact[half + k]:R} vs {expected[k]}");
        }
    }

    private static void AssertAscending(Codebook codebook)
    {
        for (int k = 1; k < codebook.Levels; k++)
        {
            Assert.True(codebook.CentroidsExact[k] > codebook.CentroidsExact[k - 1], $"{codebook.Id} b={codebook.Bits}: centroid {k} not ascending");
        }
    }
}

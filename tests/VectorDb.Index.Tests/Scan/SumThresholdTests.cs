using VectorDb.Index.Common;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Tests.Scan;

/// <summary>
/// The integer pre-filter bound: exhaustively over every sum of a small range, no row whose score (computed with the
/// scan's float operations) reaches the threshold may lie below the minimum sum, and the minimum sum is the smallest
/// one whose bound reaches it (so the filter is as tight as its bound allows).
/// </summary>
public class SumThresholdTests
{
    private const uint MaxSum = 3000;

    [Theory]
    [InlineData(false, 1UL)]
    [InlineData(false, 2UL)]
    [InlineData(true, 3UL)]
    [InlineData(true, 4UL)]
    public void NoRowBelowMinimumSum_ReachesThreshold_AndMinimumIsTight(bool withOffsets, ulong seed)
    {
        var rng = new SplitMix64(seed);
        // Tables like a real query's: Δ small and positive, β negative so that raw changes sign inside the range.
        float scale = (float)(0.001 + 0.01 * rng.NextDouble());
        float bias = -scale * MaxSum * (float)(0.2 + 0.6 * rng.NextDouble());
        const int rows = 16;
        var factors = new float[rows];
        var offsets = withOffsets ? new float[rows] : [];
        for (int i = 0; i < rows; i++)
        {
            factors[i] = i == 0 ? 0f : (float)(0.5 + rng.NextDouble()); // a zero factor is allowed
            if (withOffsets)
            {
                offsets[i] = (float)(rng.NextGaussian() * 0.3);
            }
        }
        var bound = SumThreshold.Create(scale, bias, factors, offsets);
        Assert.True(bound.Enabled);

        // Thresholds: random ones and exact row scores (a threshold equal to a score must keep that row).
        var thresholds = new List<float>();
        for (int t = 0; t < 20; t++)
        {
            thresholds.Add((float)(rng.NextGaussian() * scale * MaxSum * 0.5));
            int row = rng.NextInt(rows);
            thresholds.Add(Score((uint)rng.NextInt((int)MaxSum + 1), scale, bias, factors[row], withOffsets ? offsets[row] : 0f, withOffsets));
        }
        foreach (float threshold in thresholds)
        {
            uint minimum = bound.MinimumSum(threshold, MaxSum);
            Assert.InRange(minimum, 0u, MaxSum + 1);
            if (minimum <= MaxSum)
            {
                Assert.True(bound.UpperBound(minimum) >= threshold, $"T={threshold}: U({minimum}) = {bound.UpperBound(minimum)} < T");
            }
            if (minimum > 0)
            {
                Assert.True(bound.UpperBound(minimum - 1) < threshold, $"T={threshold}: U({minimum - 1}) ≥ T, so {minimum} is not the smallest");
            }
            for (uint sum = 0; sum < minimum && sum <= MaxSum; sum++)
            {
                for (int i = 0; i < rows; i++)
                {
                    float score = Score(sum, scale, bias, factors[i], withOffsets ? offsets[i] : 0f, withOffsets);
                    Assert.True(score < threshold, $"T={threshold}: row {i} at S={sum} < minimum {minimum} scores {score} ≥ T");
                }
            }
        }
    }

    [Fact]
    public void MinusInfinityThreshold_KeepsEverything_AndUnreachableThreshold_KeepsNothing()
    {
        var bound = SumThreshold.Create(0.01f, -1f, [1f, 2f], []);
        Assert.Equal(0u, bound.MinimumSum(float.NegativeInfinity, MaxSum));
        Assert.Equal(0u, bound.MinimumSum(-10f, MaxSum)); // every sum's bound is above −10: nothing to prune
        Assert.Equal(MaxSum + 1, bound.MinimumSum(1000f, MaxSum)); // U(3000) = 2·29 = 58 < 1000
    }

    [Theory]
    [InlineData(-0.1f, 1f, 0.01f)]            // a negative factor: a negative raw could score high
    [InlineData(float.NaN, 1f, 0.01f)]        // non-finite factor
    [InlineData(1f, float.PositiveInfinity, 0.01f)]
    [InlineData(1f, 2f, 0f)]                  // Δ = 0: all tables equal, nothing to order by
    public void UnsafeInputs_DisableTheFilter(float factor0, float factor1, float scale)
    {
        var bound = SumThreshold.Create(scale, -1f, [factor0, factor1], []);
        Assert.False(bound.Enabled);
        Assert.Equal(0u, bound.MinimumSum(5f, MaxSum));
    }

    [Fact]
    public void NonFiniteOffset_DisablesTheFilter()
    {
        Assert.False(SumThreshold.Create(0.01f, -1f, [1f, 1f], [0f, float.NaN]).Enabled);
        Assert.True(SumThreshold.Create(0.01f, -1f, [1f, 1f], [0f, 3f]).Enabled);
    }

    [Fact]
    public void LongFactorSpans_BoundsCoverEveryElement()
    {
        // The vectorised min/max pass: the extreme values sit in the scalar tail and in the middle of a vector.
        var factors = Enumerable.Repeat(1f, 37).ToArray();
        factors[11] = 4f;
        factors[36] = 0.5f;
        var bound = SumThreshold.Create(1f, 0f, factors, []);
        Assert.Equal(4f * 10, bound.UpperBound(10));
        Assert.Equal(-0.5f * 2, SumThreshold.Create(1f, -12f, factors, []).UpperBound(10));
        factors[20] = float.PositiveInfinity;
        Assert.False(SumThreshold.Create(1f, 0f, factors, []).Enabled);
    }

    /// <summary>The scan's arithmetic for one row: raw = fma(Δ, S, β), score = raw·A or fma(raw, A, B).</summary>
    private static float Score(uint sum, float scale, float bias, float factor, float offset, bool withOffsets)
    {
        float raw = MathF.FusedMultiplyAdd(scale, sum, bias);
        return withOffsets ? MathF.FusedMultiplyAdd(raw, factor, offset) : raw * factor;
    }
}

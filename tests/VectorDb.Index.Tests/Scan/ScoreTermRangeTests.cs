using VectorDb.Index.Common;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Tests.Scan;

/// <summary>The term range folded in row by row (as a partition keeps it) equals the range read in one pass.</summary>
public class ScoreTermRangeTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(63, true)]
    [InlineData(1000, false)]
    [InlineData(1000, true)]
    public void IncludedRowByRow_EqualsOnePass(int rows, bool withOffsets)
    {
        var rng = new SplitMix64((ulong)rows);
        float[] factors = Enumerable.Range(0, rows).Select(_ => (float)rng.NextGaussian()).ToArray();
        float[] offsets = withOffsets ? Enumerable.Range(0, rows).Select(_ => (float)rng.NextGaussian()).ToArray() : [];
        ScoreTermRange folded = ScoreTermRange.Empty;
        for (int i = 0; i < rows; i++)
        {
            folded = folded.Include(factors[i], withOffsets ? offsets[i] : 0f);
        }
        ScoreTermRange onePass = ScoreTermRange.Of(factors, offsets);
        Assert.Equal((factors.Min(), factors.Max(), rows), (folded.FactorMin, folded.FactorMax, folded.Rows));
        Assert.Equal((onePass.FactorMin, onePass.FactorMax, onePass.Rows), (folded.FactorMin, folded.FactorMax, folded.Rows));
        Assert.True(folded.Finite && onePass.Finite);
        if (withOffsets)
        {
            Assert.Equal(offsets.Max(), folded.OffsetMax);
            Assert.Equal(onePass.OffsetMax, folded.OffsetMax);
        }
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteTerm_MakesTheRangeNonFinite(float bad)
    {
        float[] factors = Enumerable.Repeat(1f, 100).ToArray();
        factors[70] = bad;
        Assert.False(ScoreTermRange.Of(factors, []).Finite);
        Assert.False(ScoreTermRange.Empty.Include(1f, 0f).Include(1f, bad).Finite);
        Assert.False(ScoreTermRange.Empty.Include(bad, 0f).Include(1f, 0f).Finite);
    }
}

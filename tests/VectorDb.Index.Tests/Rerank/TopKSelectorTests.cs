using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Tests.Rerank;

/// <summary>The selector must return exactly what a full sort returns: best first, ties to the smaller slot.</summary>
public class TopKSelectorTests
{
    [Theory]
    [InlineData(0, 10, false)]
    [InlineData(1, 10, false)]
    [InlineData(5, 3, true)]
    [InlineData(10, 1000, false)]
    [InlineData(10, 1000, true)]
    [InlineData(100, 1000, true)]
    public void Finish_EqualsFullSort(int k, int n, bool smallerIsBetter)
    {
        var random = new SplitMix64((ulong)(k * 1000 + n));
        // Few distinct values, so that ties are common; some NaN that must be skipped.
        var candidates = Enumerable.Range(0, n)
            .Select(i => new ScoredSlot(random.NextInt(5 * n), random.NextInt(10) == 0 ? float.NaN : random.NextInt(20) - 10f))
            .ToArray();
        ScoredSlot[] expected = candidates.Where(c => !float.IsNaN(c.Score))
            .OrderBy(c => smallerIsBetter ? c.Score : -c.Score).ThenBy(c => c.Slot).Take(k).ToArray();
        var best = new ScoredSlot[k];
        var selector = new TopKSelector(best, smallerIsBetter);

        foreach (ScoredSlot candidate in candidates)
        {
            selector.Add(candidate.Slot, candidate.Score);
        }
        int count = selector.Finish();

        Assert.Equal(expected, best.AsSpan(0, count).ToArray());
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(7, false)]
    [InlineData(7, true)]
    public void Threshold_IsTheWorstKeptScoreOnceFull_ElseOpen(int k, bool smallerIsBetter)
    {
        var random = new SplitMix64((ulong)k + 77);
        var best = new ScoredSlot[k];
        var selector = new TopKSelector(best, smallerIsBetter);
        var seen = new List<float>();
        for (int slot = 0; slot < 200; slot++)
        {
            float expected = seen.Count < k
                ? (smallerIsBetter ? float.PositiveInfinity : float.NegativeInfinity)
                : seen.OrderBy(v => smallerIsBetter ? v : -v).ElementAt(k - 1);
            Assert.Equal(expected, selector.Threshold);
            float score = random.NextInt(50) - 25f;
            selector.Add(slot, score);
            seen.Add(score);
        }
    }
}

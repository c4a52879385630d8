using VectorDb.Index.Common;
using VectorDb.Index.Rerank;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

public class TopKTests
{
    /// <summary>
    /// The lead window against a list oracle: an offer enters when fewer than L scores were offered before it, or it
    /// beats the L-th best offered before it, or it lies at most w below that; the kept set is then the best
    /// `capacity` of what entered, and the threshold is max(worst kept, L-th best − w).
    /// </summary>
    [Theory]
    [InlineData(10, 80, 0.05f, 5000)]
    [InlineData(1, 4, 0f, 300)]
    [InlineData(10, 10, 0.3f, 2000)]
    [InlineData(5, 40, 1e9f, 500)]
    public void LeadWindow_KeepsWhatTheOracleKeeps(int leaders, int capacity, float window, int offers)
    {
        var rng = new SplitMix64((ulong)(leaders * 1000 + capacity));
        var top = new TopK(capacity);
        top.SetLeadWindow(leaders, window);
        var offered = new List<float>();
        var entered = new List<ScoredSlot>();
        for (int i = 0; i < offers; i++)
        {
            // Scores drift upwards so the floor keeps rising, with coarse rounding so that ties occur.
            float score = MathF.Round((float)(rng.NextGaussian() + i * 0.002), 2);
            var best = offered.OrderByDescending(x => x).ToList();
            bool enters = best.Count < leaders || score > best[leaders - 1] || score >= best[leaders - 1] - window;
            offered.Add(score);
            if (enters)
            {
                entered.Add(new ScoredSlot(i, score));
            }
            top.TryAdd(score, i);

            var expectedKept = entered.OrderByDescending(p => p.Score).ThenBy(p => p.Slot).Take(capacity).ToArray();
            if (i % 97 == 0 || i == offers - 1)
            {
                Assert.Equal(expectedKept, top.ToSortedArray());
                var bestNow = offered.OrderByDescending(x => x).ToList();
                float worstKept = expectedKept.Length == capacity ? expectedKept[^1].Score : float.NegativeInfinity;
                float expectedThreshold = bestNow.Count >= leaders ? MathF.Max(worstKept, bestNow[leaders - 1] - window) : worstKept;
                Assert.Equal(expectedThreshold, top.Threshold);
            }
        }
    }

    [Fact]
    public void LeadWindow_ClearAndSwitchOff()
    {
        var top = new TopK(4);
        top.SetLeadWindow(1, 0.5f);
        top.TryAdd(10f, 1);
        Assert.False(top.TryAdd(9f, 2)); // more than 0.5 below the best
        Assert.Equal(9.5f, top.Threshold);
        top.Clear();
        Assert.True(top.TryAdd(9f, 2)); // the leaders were cleared with the collector
        top.SetLeadWindow(0, 0);
        top.TryAdd(100f, 3);
        Assert.True(top.TryAdd(1f, 4));
        Assert.Equal(float.NegativeInfinity, top.Threshold); // 3 of 4 kept, no window
        Assert.Throws<ArgumentOutOfRangeException>(() => top.SetLeadWindow(5, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => top.SetLeadWindow(1, float.NaN));
    }

    [Theory]
    [InlineData(1, 100)]
    [InlineData(10, 1000)]
    [InlineData(100, 1000)]
    [InlineData(50, 20)] // k > n
    public void TryAdd_RandomScoresWithTies_EqualsFullSort(int k, int n)
    {
        var rng = new SplitMix64((ulong)(k * 1000 + n));
        // Scores drawn from 16 values so that many ties must be broken by the smaller id.
        var scores = Enumerable.Range(0, n).Select(_ => (float)rng.NextInt(16)).ToArray();
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var topK = new TopK(k);
        foreach (int id in order)
        {
            topK.TryAdd(scores[id], id);
        }
        Assert.Equal(ScanOracle.TopBySort(scores, k), topK.ToSortedArray());
    }

    [Fact]
    public void Threshold_IsNegativeInfinityUntilFullThenWorstKept()
    {
        var topK = new TopK(2);
        Assert.Equal(float.NegativeInfinity, topK.Threshold);
        topK.TryAdd(5, 0);
        Assert.Equal(float.NegativeInfinity, topK.Threshold);
        topK.TryAdd(3, 1);
        Assert.Equal(3, topK.Threshold);
        Assert.False(topK.TryAdd(2, 2));
        Assert.False(topK.TryAdd(3, 7)); // tie with a larger id loses
        Assert.True(topK.TryAdd(3, 0 + 0 * 1)); // same score, id 0 < 1 wins the tie
        Assert.Equal([new ScoredSlot(0, 5), new ScoredSlot(0, 3)], topK.ToSortedArray());
    }

    [Fact]
    public void TryAdd_NaN_IsNeverKept()
    {
        var topK = new TopK(3);
        Assert.False(topK.TryAdd(float.NaN, 1));
        topK.TryAdd(float.NegativeInfinity, 2);
        Assert.Equal([new ScoredSlot(2, float.NegativeInfinity)], topK.ToSortedArray());
    }

    [Fact]
    public void MergeFrom_TwoHalves_EqualsOneCollector()
    {
        var rng = new SplitMix64(3);
        var scores = ScanOracle.Gaussian(ref rng, 500);
        var whole = new TopK(20);
        var left = new TopK(20);
        var right = new TopK(20);
        for (int i = 0; i < scores.Length; i++)
        {
            whole.TryAdd(scores[i], i);
            (i < 250 ? left : right).TryAdd(scores[i], i);
        }
        right.MergeFrom(left);
        Assert.Equal(whole.ToSortedArray(), right.ToSortedArray());
    }

    [Fact]
    public void BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopK(0));
        var topK = new TopK(3);
        topK.TryAdd(1, 1);
        topK.TryAdd(2, 2);
        Assert.Throws<ArgumentException>(() => topK.CopySortedTo(new ScoredSlot[1]));
    }

    [Fact]
    public void Clear_EmptiesForReuse()
    {
        var topK = new TopK(2);
        topK.TryAdd(1, 1);
        topK.Clear();
        Assert.Equal(0, topK.Count);
        Assert.Empty(topK.ToSortedArray());
    }
}

using VectorDb.Index.Common;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Search;

public class TopKTests
{
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
        Assert.Equal([new ScoredId(5, 0), new ScoredId(3, 0)], topK.ToSortedArray());
    }

    [Fact]
    public void TryAdd_NaN_IsNeverKept()
    {
        var topK = new TopK(3);
        Assert.False(topK.TryAdd(float.NaN, 1));
        topK.TryAdd(float.NegativeInfinity, 2);
        Assert.Equal([new ScoredId(float.NegativeInfinity, 2)], topK.ToSortedArray());
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
        Assert.Throws<ArgumentException>(() => topK.CopySortedTo(new ScoredId[1]));
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

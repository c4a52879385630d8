using VectorDb.Index.Common;
using VectorDb.Index.Search;

namespace VectorDb.Index.Tests.Search;

public class ListSelectionTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 1024)]
    [InlineData(16, 1024)]
    [InlineData(64, 1000)]
    [InlineData(1024, 1024)] // nprobe = nlist
    [InlineData(7, 9)]
    public void SelectBest_RandomScoresWithTies_EqualsFullSortOracle(int m, int n)
    {
        var rng = new SplitMix64((ulong)(m * 7919 + n));
        // Scores drawn from 32 values (with negatives) so that many ties must go to the smaller index.
        var scores = Enumerable.Range(0, n).Select(_ => rng.NextInt(32) - 16.5f).ToArray();
        // Oracle: a full stable sort by (score descending, index ascending).
        var expected = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(m).ToArray();
        var best = new int[m];
        ListSelection.SelectBest(scores, best);
        Assert.Equal(expected, best);
    }

    [Fact]
    public void SelectBest_DistinctScores_BestFirst()
    {
        float[] scores = [0.5f, -2f, 3f, 1f, 2.5f];
        var best = new int[3];
        ListSelection.SelectBest(scores, best);
        Assert.Equal([2, 4, 3], best);
    }

    [Fact]
    public void SelectBest_MoreThanAvailable_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => ListSelection.SelectBest(new float[3], new int[4]));
        Assert.Contains("cannot select 4 of 3", ex.Message);
    }
}

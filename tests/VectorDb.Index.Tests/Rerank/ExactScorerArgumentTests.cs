using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Tests.Rerank;

public class ExactScorerArgumentTests
{
    private static ExactScorer NewScorer()
    {
        var store = new OriginalVectorStore(4, OriginalsFormat.Float32);
        store.Upsert(0, [1, 2, 3, 4]);
        return new ExactScorer(store, Metric.InnerProduct, SimdLevel.Scalar);
    }

    [Fact]
    public void BadQueriesSlotsAndOutputs_Throw()
    {
        ExactScorer scorer = NewScorer();
        var scores = new float[1];
        Assert.Contains("dimension is 4", Assert.Throws<ArgumentException>(() => scorer.Score([1, 2, 3], [0], scores)).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => scorer.Score([1, float.NaN, 3, 4], [0], scores)).Message);
        Assert.Contains("never negative", Assert.Throws<ArgumentException>(() => scorer.Score([1, 2, 3, 4], [-3], scores)).Message);
        Assert.Contains("must match", Assert.Throws<ArgumentException>(() => scorer.Score([1, 2, 3, 4], [0, 0], scores)).Message);
        Assert.Throws<ArgumentException>(() => scorer.ScoreBatch([1, 2, 3, 4], [0, 2], [0], scores));
        Assert.Throws<ArgumentException>(() => scorer.ScoreBatch([1, 2, 3, 4, 5, 6, 7, 8], [0, 1], [0], scores));
        Assert.Throws<ArgumentException>(() => scorer.ScoreBatch([1, 2, 3, 4, 5, 6, 7, 8], [0, 1, 0], [0], scores));
        Assert.Throws<ArgumentException>(() => scorer.RerankBatch([1, 2, 3, 4], [0, 1], [0], 3, new ScoredSlot[2], new int[1]));
        Assert.Throws<ArgumentException>(() => scorer.SearchAllBatch([1, 2, 3], 1, new ScoredSlot[1], new int[1]));
        Assert.Throws<ArgumentException>(() => new ExactScorer(new OriginalVectorStore(4, OriginalsFormat.Float32), Metric.L2, (SimdLevel)64));
    }

    [Fact]
    public void ZeroK_ReturnsNothing()
    {
        ExactScorer scorer = NewScorer();
        Assert.Equal(0, scorer.Rerank([1, 2, 3, 4], [0], []));
        Assert.Equal(0, scorer.SearchAll([1, 2, 3, 4], []));
    }
}

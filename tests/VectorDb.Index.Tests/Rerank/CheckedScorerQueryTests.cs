using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Rerank;

/// <summary>Re-ranking hands the scorer the query the index checked (<see cref="CheckedScorerQuery"/>), so its d
/// coordinates are not checked again per re-rank call; direct callers of the public scorer API are still checked.</summary>
public class CheckedScorerQueryTests
{
    [Theory]
    [InlineData(RerankMode.Fixed, ExactMetric.InnerProduct)]
    [InlineData(RerankMode.Auto, ExactMetric.InnerProduct)]
    [InlineData(RerankMode.Auto, ExactMetric.L2)]
    public void IndexRerank_CallsTheScorerWithTheCheckedQueryOnly(RerankMode mode, ExactMetric metric)
    {
        RecordingScorer? recorder = null;
        using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(24, 2, 7), metric), level: null,
            (store, m) => recorder = new RecordingScorer(new ExactScorer(store, m)));
        for (int i = 0; i < 300; i++)
        {
            index.Upsert((ulong)i, RandomVectors.Gaussian(24, 1000 + (ulong)i));
        }
        for (int q = 0; q < 5; q++)
        {
            float[] query = RandomVectors.Gaussian(24, 9000 + (ulong)q);
            var hits = index.Search(query, new SearchOptions(10, mode, Oversampling: 8)).Hits;
            Assert.Equal(10, hits.Length);
        }
        Assert.NotNull(recorder);
        Assert.True(recorder.CheckedCalls > 0, "re-ranking never reached the scorer");
        Assert.Equal(0, recorder.UncheckedCalls);
    }

    [Fact]
    public void CheckedQuery_ScoresAsThePublicForm_AndKeepsItsLengthCheck()
    {
        var store = new OriginalVectorStore(4, OriginalPrecision.Float32);
        store.Upsert(0, [1, 2, 3, 4]);
        store.Upsert(1, [-1, 0.5f, 2, 0]);
        var scorer = new ExactScorer(store, ExactMetric.L2, SimdLevel.Scalar);
        float[] query = [0.25f, -1, 3, 2];
        var expected = new float[2];
        var scores = new float[2];
        scorer.Score(query, [0, 1], expected);
        scorer.Score(new CheckedScorerQuery(query), [0, 1], scores);
        Assert.Equal(expected, scores);
        var best = new ScoredSlot[1];
        Assert.Equal(1, scorer.Rerank(new CheckedScorerQuery(query), [0, 1], best));
        Assert.Equal(expected.Min(), best[0].Score);
        Assert.Contains("dimension is 4",
            Assert.Throws<ArgumentException>(() => scorer.Score(new CheckedScorerQuery([1, 2, 3]), [0], new float[1])).Message);
        Assert.Contains("never negative",
            Assert.Throws<ArgumentException>(() => scorer.Rerank(new CheckedScorerQuery(query), [-1], new ScoredSlot[1])).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => scorer.Score([1, float.NaN, 3, 4], [0], new float[1])).Message);
    }

    /// <summary>Passes every call to <paramref name="inner"/> and counts which query form re-ranking used.</summary>
    private sealed class RecordingScorer(IExactScorer inner) : IExactScorer
    {
        public int CheckedCalls { get; private set; }

        public int UncheckedCalls { get; private set; }

        public int Dimension => inner.Dimension;

        public ExactMetric Metric => inner.Metric;

        public string Backend => inner.Backend;

        public void Score(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<float> scores)
        {
            UncheckedCalls++;
            inner.Score(query, slots, scores);
        }

        public void Score(CheckedScorerQuery query, ReadOnlySpan<int> slots, Span<float> scores)
        {
            CheckedCalls++;
            inner.Score(query, slots, scores);
        }

        public void ScoreBatch(ReadOnlySpan<float> queries, ReadOnlySpan<int> candidateOffsets, ReadOnlySpan<int> slots, Span<float> scores)
        {
            UncheckedCalls++;
            inner.ScoreBatch(queries, candidateOffsets, slots, scores);
        }

        public int Rerank(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<ScoredSlot> best)
        {
            UncheckedCalls++;
            return inner.Rerank(query, slots, best);
        }

        public int Rerank(CheckedScorerQuery query, ReadOnlySpan<int> slots, Span<ScoredSlot> best)
        {
            CheckedCalls++;
            return inner.Rerank(query, slots, best);
        }

        public void RerankBatch(ReadOnlySpan<float> queries, ReadOnlySpan<int> candidateOffsets, ReadOnlySpan<int> slots, int k,
            Span<ScoredSlot> best, Span<int> counts)
        {
            UncheckedCalls++;
            inner.RerankBatch(queries, candidateOffsets, slots, k, best, counts);
        }

        public int SearchAll(ReadOnlySpan<float> query, Span<ScoredSlot> best)
        {
            UncheckedCalls++;
            return inner.SearchAll(query, best);
        }

        public void SearchAllBatch(ReadOnlySpan<float> queries, int k, Span<ScoredSlot> best, Span<int> counts)
        {
            UncheckedCalls++;
            inner.SearchAllBatch(queries, k, best, counts);
        }
    }
}

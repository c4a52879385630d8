namespace VectorDb.Index.Rerank;

/// <summary>
/// The argument checks and batch loops shared by the CPU scorers (<see cref="ExactScorer"/> over in-memory originals,
/// the index's scorer over originals read from storage): a batch is its queries one after another, each through the
/// derived class's unchecked per-query form. One virtual call per query, none per candidate.
/// </summary>
public abstract class CpuExactScorerBase : IExactScorer
{
    /// <inheritdoc/>
    public abstract int Dimension { get; }

    /// <inheritdoc/>
    public abstract ExactMetric Metric { get; }

    /// <inheritdoc/>
    public abstract string Backend { get; }

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<float> scores)
    {
        ExactScorerArguments.ValidateQuery(query, Dimension);
        ExactScorerArguments.ValidateSlots(slots, scores.Length, nameof(scores));
        ScoreUnchecked(query, slots, scores);
    }

    /// <summary><see cref="Score(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float})"/> of a query the index checked:
    /// its length is checked, its coordinates are not checked again.</summary>
    public void Score(CheckedScorerQuery query, ReadOnlySpan<int> slots, Span<float> scores)
    {
        ExactScorerArguments.ValidateQueryLength(query.Values, Dimension);
        ExactScorerArguments.ValidateSlots(slots, scores.Length, nameof(scores));
        ScoreUnchecked(query.Values, slots, scores);
    }

    /// <inheritdoc/>
    public void ScoreBatch(ReadOnlySpan<float> queries, ReadOnlySpan<int> candidateOffsets, ReadOnlySpan<int> slots, Span<float> scores)
    {
        int queryCount = ExactScorerArguments.ValidateBatch(queries, candidateOffsets, slots, Dimension);
        ExactScorerArguments.ValidateSlots(slots, scores.Length, nameof(scores));
        for (int q = 0; q < queryCount; q++)
        {
            int start = candidateOffsets[q], count = candidateOffsets[q + 1] - start;
            ScoreUnchecked(queries.Slice(q * Dimension, Dimension), slots.Slice(start, count), scores.Slice(start, count));
        }
    }

    /// <inheritdoc/>
    public int Rerank(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<ScoredSlot> best)
    {
        ExactScorerArguments.ValidateQuery(query, Dimension);
        ExactScorerArguments.ValidateSlots(slots, slots.Length, nameof(slots));
        return RerankUnchecked(query, slots, best);
    }

    /// <summary><see cref="Rerank(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{ScoredSlot})"/> of a query the index
    /// checked: its length is checked, its coordinates are not checked again.</summary>
    public int Rerank(CheckedScorerQuery query, ReadOnlySpan<int> slots, Span<ScoredSlot> best)
    {
        ExactScorerArguments.ValidateQueryLength(query.Values, Dimension);
        ExactScorerArguments.ValidateSlots(slots, slots.Length, nameof(slots));
        return RerankUnchecked(query.Values, slots, best);
    }

    /// <inheritdoc/>
    public void RerankBatch(ReadOnlySpan<float> queries, ReadOnlySpan<int> candidateOffsets, ReadOnlySpan<int> slots, int k,
        Span<ScoredSlot> best, Span<int> counts)
    {
        int queryCount = ExactScorerArguments.ValidateBatch(queries, candidateOffsets, slots, Dimension);
        ExactScorerArguments.ValidateTopKOutput(queryCount, k, best.Length, counts.Length);
        for (int q = 0; q < queryCount; q++)
        {
            int start = candidateOffsets[q];
            counts[q] = RerankUnchecked(queries.Slice(q * Dimension, Dimension),
                slots.Slice(start, candidateOffsets[q + 1] - start), best.Slice(q * k, k));
        }
    }

    /// <inheritdoc/>
    public int SearchAll(ReadOnlySpan<float> query, Span<ScoredSlot> best)
    {
        ExactScorerArguments.ValidateQuery(query, Dimension);
        return SearchAllUnchecked(query, best);
    }

    /// <inheritdoc/>
    public void SearchAllBatch(ReadOnlySpan<float> queries, int k, Span<ScoredSlot> best, Span<int> counts)
    {
        int queryCount = ExactScorerArguments.ValidateQueries(queries, Dimension);
        ExactScorerArguments.ValidateTopKOutput(queryCount, k, best.Length, counts.Length);
        for (int q = 0; q < queryCount; q++)
        {
            counts[q] = SearchAllUnchecked(queries.Slice(q * Dimension, Dimension), best.Slice(q * k, k));
        }
    }

    /// <summary><see cref="Score(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float})"/> with arguments already validated.</summary>
    protected abstract void ScoreUnchecked(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<float> scores);

    /// <summary><see cref="Rerank(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{ScoredSlot})"/> with arguments already validated.</summary>
    protected abstract int RerankUnchecked(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<ScoredSlot> best);

    /// <summary><see cref="SearchAll"/> with the query already validated.</summary>
    protected abstract int SearchAllUnchecked(ReadOnlySpan<float> query, Span<ScoredSlot> best);
}

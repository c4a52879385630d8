namespace VectorDb.Index.Rerank;

/// <summary>
/// Exact re-scoring of candidates against full-precision originals: what the search layer calls after a
/// compressed-code scan has produced candidate slots. Implemented on the CPU (<see cref="ExactScorer"/>, SIMD) and on
/// CUDA GPUs (VectorDb.Gpu). All forms are allocation-free per call on the CPU.
/// </summary>
/// <remarks>
/// Scores follow <see cref="Metric"/> (see <see cref="ExactMetric"/>). A slot that is not live (deleted, or never
/// written) scores NaN and is never returned by the top-k forms. A negative slot is an
/// <see cref="ArgumentException"/>. Candidate lists should not repeat a slot (a repeated slot is scored, and
/// returned, twice). Batched forms take candidate lists in CSR form: query q's candidates are
/// <c>slots[candidateOffsets[q] .. candidateOffsets[q + 1])</c>, and <c>queries</c> holds the queries row-major,
/// <see cref="Dimension"/> floats each.
/// </remarks>
public interface IExactScorer
{
    /// <summary>Coordinates per vector.</summary>
    int Dimension { get; }

    /// <summary>The similarity computed.</summary>
    ExactMetric Metric { get; }

    /// <summary>Where scores are computed, for logs and benchmark tables (e.g. "cpu Vector512", "cuda NVIDIA H100").</summary>
    string Backend { get; }

    /// <summary>Writes the exact score of each candidate slot: <c>scores[i]</c> for <c>slots[i]</c>.</summary>
    void Score(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<float> scores);

    /// <summary><see cref="Score(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float})"/> of a query the index checked:
    /// an implementation may skip checking its coordinates again (the default checks them).</summary>
    void Score(CheckedScorerQuery query, ReadOnlySpan<int> slots, Span<float> scores) => Score(query.Values, slots, scores);

    /// <summary>Batched <see cref="Score(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float})"/>: scores[i] is the score
    /// of slots[i] against the query whose CSR range contains i.</summary>
    void ScoreBatch(ReadOnlySpan<float> queries, ReadOnlySpan<int> candidateOffsets, ReadOnlySpan<int> slots, Span<float> scores);

    /// <summary>The best <c>best.Length</c> live candidates, best first; returns how many were written.</summary>
    int Rerank(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<ScoredSlot> best);

    /// <summary><see cref="Rerank(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{ScoredSlot})"/> of a query the index
    /// checked: an implementation may skip checking its coordinates again (the default checks them).</summary>
    int Rerank(CheckedScorerQuery query, ReadOnlySpan<int> slots, Span<ScoredSlot> best) => Rerank(query.Values, slots, best);

    /// <summary>Batched <see cref="Rerank(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{ScoredSlot})"/>: query q's results go to <c>best[q·k .. q·k + counts[q])</c>.</summary>
    void RerankBatch(ReadOnlySpan<float> queries, ReadOnlySpan<int> candidateOffsets, ReadOnlySpan<int> slots, int k,
        Span<ScoredSlot> best, Span<int> counts);

    /// <summary>Exact brute-force search over every live slot; returns how many of <c>best.Length</c> were written.</summary>
    int SearchAll(ReadOnlySpan<float> query, Span<ScoredSlot> best);

    /// <summary>Batched <see cref="SearchAll"/> for <c>queries.Length / Dimension</c> queries, laid out as in
    /// <see cref="RerankBatch"/>.</summary>
    void SearchAllBatch(ReadOnlySpan<float> queries, int k, Span<ScoredSlot> best, Span<int> counts);
}

namespace VectorDb.Index.Rerank;

/// <summary>
/// A query the index has already checked (as many coordinates as its dimension, every one finite: the search's
/// <c>CheckedQuery</c>), as re-ranking hands it to an <see cref="IExactScorer"/>, so that the scorer need not check
/// the d coordinates again on each call (the auto re-rank calls it once per 16 candidates). Only the Index makes one;
/// a direct caller of the public scorer API passes a plain span and is checked in full. A scorer still checks the
/// length (O(1)) before reading.
/// </summary>
public readonly ref struct CheckedScorerQuery
{
    /// <param name="values">A query the index checked, or one derived from it by arithmetic that keeps it finite.</param>
    internal CheckedScorerQuery(ReadOnlySpan<float> values) => Values = values;

    /// <summary>The query's coordinates.</summary>
    public ReadOnlySpan<float> Values { get; }
}

namespace VectorDb.Index.Rerank;

/// <summary>The fixed re-rank: every candidate the scan kept is scored exactly and the best k are kept.</summary>
internal static class FixedRerank
{
    /// <summary>
    /// Scores <paramref name="candidates"/> (their slots) exactly and writes the best <c>best.Length</c>, best first, as
    /// the scorer's metric scores (a distance for L2); returns how many were found.
    /// </summary>
    /// <param name="exact">The re-scorer over the originals.</param>
    /// <param name="query">The query as the scorer takes it, checked by the index (the only caller), so the scorer does
    /// not check its coordinates again (<see cref="CheckedScorerQuery"/>).</param>
    /// <param name="candidates">The scan's candidates (only their slots are read).</param>
    /// <param name="slots">Scratch of at least <c>candidates.Length</c> entries.</param>
    /// <param name="best">Where the k best go (k = its length).</param>
    public static int Run(IExactScorer exact, ReadOnlySpan<float> query, ReadOnlySpan<ScoredSlot> candidates, Span<int> slots,
        Span<ScoredSlot> best)
    {
        for (int i = 0; i < candidates.Length; i++)
        {
            slots[i] = candidates[i].Slot;
        }
        return exact.Rerank(new CheckedScorerQuery(query), slots[..candidates.Length], best);
    }
}

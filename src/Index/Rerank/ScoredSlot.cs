namespace VectorDb.Index.Rerank;

/// <summary>
/// A scored row, the one pair type of both top-k collectors (the scan's <see cref="Scan.TopK"/> and the re-scorers'
/// <see cref="TopKSelector"/>): the row (a store slot, a partition row or an IVF virtual id, as the producer says)
/// and its score.
/// </summary>
/// <param name="Slot">The row: for re-ranked results the store slot (the search layer maps slots to point ids).</param>
/// <param name="Score">Ranking score (larger is better), or for a re-scorer's results the exact score under its metric:
/// inner product, cosine, or squared L2 distance.</param>
public readonly record struct ScoredSlot(int Slot, float Score)
{
    /// <summary>The collectors' total order: higher score first, then smaller slot. Neither score may be NaN.</summary>
    public static bool IsBetter(float score, int slot, float otherScore, int otherSlot) =>
        score > otherScore || (score == otherScore && slot < otherSlot);

    /// <summary>
    /// Places <paramref name="entry"/> at the root of <paramref name="heap"/> (a heap with the worst pair at the root,
    /// under <see cref="IsBetter"/>) and sifts it down to restore the heap: the step both collectors' heaps and
    /// heapsorts share.
    /// </summary>
    internal static void SiftDown(Span<ScoredSlot> heap, ScoredSlot entry)
    {
        int hole = 0;
        while (true)
        {
            int child = 2 * hole + 1;
            if (child >= heap.Length)
            {
                break;
            }
            // Pick the worse child: it is the one that may rise above the entry.
            if (child + 1 < heap.Length && IsBetter(heap[child].Score, heap[child].Slot, heap[child + 1].Score, heap[child + 1].Slot))
            {
                child++;
            }
            if (!IsBetter(entry.Score, entry.Slot, heap[child].Score, heap[child].Slot))
            {
                break;
            }
            heap[hole] = heap[child];
            hole = child;
        }
        heap[hole] = entry;
    }
}

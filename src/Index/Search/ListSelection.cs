namespace VectorDb.Index.Search;

/// <summary>
/// Picks the indexes of the best scores without sorting all of them (IVF list selection: nprobe of nlist centroid
/// scores per query). Order: larger score first; equal scores to the smaller index. Scores must not be NaN.
/// </summary>
internal static class ListSelection
{
    /// <summary>
    /// Writes into <paramref name="best"/> the indexes of its Length largest <paramref name="scores"/>, best first.
    /// Bounded min-heap (the worst kept index at the root) over one pass, then heap-sorted in place:
    /// O(n·log m + m·log m) for n scores and m = best.Length, no allocation.
    /// </summary>
    public static void SelectBest(ReadOnlySpan<float> scores, Span<int> best)
    {
        int m = best.Length;
        if (m > scores.Length)
        {
            throw new ArgumentException($"cannot select {m} of {scores.Length} scores.", nameof(best));
        }
        if (m == 0)
        {
            return;
        }
        for (int i = 0; i < m; i++)
        {
            best[i] = i;
            SiftUp(scores, best, i);
        }
        for (int i = m; i < scores.Length; i++)
        {
            if (Better(scores, i, best[0]))
            {
                best[0] = i;
                SiftDown(scores, best, 0, m);
            }
        }
        // Heap sort: repeatedly move the worst kept index to the end, so the span ends up best first.
        for (int end = m - 1; end > 0; end--)
        {
            (best[0], best[end]) = (best[end], best[0]);
            SiftDown(scores, best, 0, end);
        }
    }

    /// <summary>Whether index a ranks before index b: larger score, or the same score and a smaller index.</summary>
    private static bool Better(ReadOnlySpan<float> scores, int a, int b) =>
        scores[a] > scores[b] || (scores[a] == scores[b] && a < b);

    private static void SiftUp(ReadOnlySpan<float> scores, Span<int> heap, int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Better(scores, heap[parent], heap[i]))
            {
                return;
            }
            (heap[parent], heap[i]) = (heap[i], heap[parent]);
            i = parent;
        }
    }

    private static void SiftDown(ReadOnlySpan<float> scores, Span<int> heap, int i, int size)
    {
        while (true)
        {
            int worst = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < size && Better(scores, heap[worst], heap[left]))
            {
                worst = left;
            }
            if (right < size && Better(scores, heap[worst], heap[right]))
            {
                worst = right;
            }
            if (worst == i)
            {
                return;
            }
            (heap[worst], heap[i]) = (heap[i], heap[worst]);
            i = worst;
        }
    }
}


namespace VectorDb.Index.Scan;

public static partial class FlatScan
{
    /// <summary>
    /// The same scan split over <paramref name="threads"/> workers: blocks are cut into contiguous ranges, each range
    /// fills its own collector, and the collectors are merged into <paramref name="results"/>. Scores do not depend
    /// on the split and the collector keeps the best under a total order, so the result equals
    /// <see cref="Search(IBlockScorer, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{ulong}, TopK)"/>
    /// exactly. Allocates one collector per worker (not per block).
    /// </summary>
    public static void SearchParallel(IBlockScorer scorer, ReadOnlyMemory<float> scales, ReadOnlyMemory<float> offsets,
        ReadOnlyMemory<ulong> deleted, TopK results, int threads) =>
        SearchParallel(scorer, scales, offsets, deleted, results, threads, termRange: null);

    /// <summary>The same with the rows' cached term range (see <see cref="SearchBlocks"/>).</summary>
    internal static void SearchParallel(IBlockScorer scorer, ReadOnlyMemory<float> scales, ReadOnlyMemory<float> offsets,
        ReadOnlyMemory<ulong> deleted, TopK results, int threads, ScoreTermRange? termRange)
    {
        Validate(scorer, scales.Span, offsets.Span, results);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        int blocks = scorer.BlockCount;
        int workers = Math.Min(threads, Math.Max(1, blocks));
        if (workers == 1)
        {
            SearchBlocks(scorer, scales.Span, offsets.Span, deleted.Span, results, 0, blocks, 0, termRange);
            return;
        }
        var partials = new TopK[workers];
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            // Contiguous, nearly equal ranges: worker w takes blocks [w·B/W, (w+1)·B/W).
            int first = (int)((long)worker * blocks / workers);
            int end = (int)((long)(worker + 1) * blocks / workers);
            var local = new TopK(results.Capacity);
            SearchBlocks(scorer, scales.Span, offsets.Span, deleted.Span, local, first, end, 0, termRange);
            partials[worker] = local;
        });
        foreach (TopK partial in partials)
        {
            results.MergeFrom(partial);
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

public static partial class FlatScan
{
    /// <summary>
    /// Whether <see cref="SearchFastScanBatch"/> can scan these queries together: 2 to
    /// <see cref="FastScanKernel.BatchQueries"/> fast-scan scorers over the same codes at a level with a batched
    /// kernel (<see cref="FastScanKernel.BatchQueriesAt"/>: 512 or 256 bits), each shape one 16-bit pass holds.
    /// </summary>
    internal static bool CanSearchBatch(ReadOnlySpan<IBlockScorer> scorers)
    {
        if (scorers.Length < 2 || scorers.Length > FastScanKernel.BatchQueries || scorers[0] is not FastScanScorer first)
        {
            return false;
        }
        foreach (IBlockScorer scorer in scorers)
        {
            if (scorer is not FastScanScorer fast || fast.Codes != first.Codes || fast.Level != first.Level
                || FastScanKernel.BatchQueriesAt(fast.Level) == 0 || !FastScanKernel.HasSums16(fast.Level, fast.Lut.GroupCount))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The pruned flat scan (<see cref="SearchFastScanBlocks"/>) of 2 to 4 queries in as few passes over the codes as
    /// the level's kernel allows (one at 512 bits, two at 256): query i's rows go to <paramref name="results"/>[i]. Each query sees the blocks in the same order and offers exactly
    /// the rows its own one-query scan offers (its threshold moves only with its own offers), so every collector ends
    /// as that scan would leave it. The caller checks <see cref="CanSearchBatch"/>. Allocates nothing.
    /// </summary>
    /// <param name="scorers">The queries, bound to the same codes.</param>
    /// <param name="scales">A_i, one per row (as for one query).</param>
    /// <param name="offsets">B_i, one per row, or empty for none.</param>
    /// <param name="deleted">Tombstone bitmap, or empty.</param>
    /// <param name="results">One collector per query.</param>
    /// <param name="termRange">Covers at least every row's factor and offset (the partition's cached range).</param>
    [SkipLocalsInit]
    internal static void SearchFastScanBatch(ReadOnlySpan<IBlockScorer> scorers, ReadOnlySpan<float> scales,
        ReadOnlySpan<float> offsets, ReadOnlySpan<ulong> deleted, ReadOnlySpan<TopK> results, ScoreTermRange termRange)
    {
        if (((FastScanScorer)scorers[0]).Level == SimdLevel.Vector512)
        {
            SearchInPasses<FastScanWidth512>(scorers, scales, offsets, deleted, results, termRange);
        }
        else
        {
            SearchInPasses<FastScanWidth256>(scorers, scales, offsets, deleted, results, termRange);
        }
    }

    // Passes of TWidth.Queries queries; a lone query left over takes the one-query scan (a pass costs about the same).
    private static void SearchInPasses<TWidth>(ReadOnlySpan<IBlockScorer> scorers, ReadOnlySpan<float> scales,
        ReadOnlySpan<float> offsets, ReadOnlySpan<ulong> deleted, ReadOnlySpan<TopK> results, ScoreTermRange termRange)
        where TWidth : IFastScanWidth
    {
        const int blockSize = FastScanCodes.BlockSize;
        var first = (FastScanScorer)scorers[0];
        int fullEnd = first.Count / blockSize;
        for (int start = 0; start < scorers.Length; start += TWidth.Queries)
        {
            int queries = Math.Min(TWidth.Queries, scorers.Length - start);
            if (queries == 1)
            {
                SearchBlocks(scorers[start], scales, offsets, deleted, results[start], 0, first.BlockCount, 0, termRange);
                continue;
            }
            if (fullEnd > 0)
            {
                SearchFullBlocksBatch<TWidth>(scorers.Slice(start, queries), scales[..(fullEnd * blockSize)],
                    offsets.IsEmpty ? offsets : offsets[..(fullEnd * blockSize)], deleted, results.Slice(start, queries),
                    fullEnd, termRange);
            }
            for (int q = start; q < start + queries && first.BlockCount > fullEnd; q++)
            {
                SearchBlocksPerBlock(scorers[q], scales, offsets, deleted, results[q], fullEnd, first.BlockCount);
            }
        }
    }

    // factors/terms cover the full blocks [0, blocks) exactly (terms empty for none); at most TWidth.Queries scorers.
    [SkipLocalsInit]
    private static void SearchFullBlocksBatch<TWidth>(ReadOnlySpan<IBlockScorer> scorers, ReadOnlySpan<float> factors,
        ReadOnlySpan<float> terms, ReadOnlySpan<ulong> deleted, ReadOnlySpan<TopK> results, int blocks, ScoreTermRange termRange)
        where TWidth : IFastScanWidth
    {
        const int blockSize = FastScanCodes.BlockSize;
        Span<float> scores = stackalloc float[blockSize];
        int queries = scorers.Length;
        var first = (FastScanScorer)scorers[0];
        int groupCount = first.Lut.GroupCount, blockBytes = first.Codes.BlockBytes;
        // Per query: its bound, threshold and integer minimum. Slots past the batch reuse query 0's tables with the
        // minimum 65535, which no sum reaches, so they never return a candidate.
        Span<SumThreshold> bounds = stackalloc SumThreshold[FastScanKernel.BatchQueries];
        Span<float> thresholds = stackalloc float[FastScanKernel.BatchQueries];
        Vector512x4 minimum = default;
        for (int q = 0; q < FastScanKernel.BatchQueries; q++)
        {
            if (q < queries)
            {
                FastScanLut lut = ((FastScanScorer)scorers[q]).Lut;
                bounds[q] = SumThreshold.Create(lut.Scale, lut.Bias, termRange, hasOffsets: !terms.IsEmpty);
                thresholds[q] = results[q].Threshold;
                minimum[q] = Vector512.Create(MinimumSum16(bounds[q], thresholds[q]));
            }
            else
            {
                minimum[q] = Vector512.Create(ushort.MaxValue);
            }
        }
        ref byte codes = ref MemoryMarshal.GetReference(first.Codes.Blocks(0, blocks));
        ref byte tables0 = ref Tables(scorers, 0);
        ref byte tables1 = ref Tables(scorers, 1);
        ref byte tables2 = ref Tables(scorers, 2);
        ref byte tables3 = ref Tables(scorers, 3);
        int block = 0;
        while ((block = TWidth.Next(ref codes, ref tables0, ref tables1, ref tables2, ref tables3,
            groupCount, blockBytes, block, blocks, minimum, out Vector512x4 sums, out Mask32x4 candidates)) < blocks)
        {
            uint live = ~DeletedBits(deleted, block);
            int row = block * blockSize;
            for (int q = 0; q < queries; q++)
            {
                uint mask = candidates[q] & live;
                if (mask == 0)
                {
                    continue;
                }
                FastScanLut lut = ((FastScanScorer)scorers[q]).Lut;
                mask &= TWidth.Score(sums[q], lut.Scale, lut.Bias, factors.Slice(row, blockSize),
                    terms.IsEmpty ? terms : terms.Slice(row, blockSize), thresholds[q], scores);
                if (Offer(results[q], scores, mask, row, ref thresholds[q]))
                {
                    minimum[q] = Vector512.Create(MinimumSum16(bounds[q], thresholds[q]));
                }
            }
            block++;
        }
    }

    /// <summary>Query <paramref name="q"/>'s tables, or query 0's for an unused slot.</summary>
    private static ref byte Tables(ReadOnlySpan<IBlockScorer> scorers, int q) =>
        ref MemoryMarshal.GetReference(((FastScanScorer)scorers[q < scorers.Length ? q : 0]).Lut.Tables);
}

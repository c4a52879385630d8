using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

public static partial class FlatScan
{
    /// <summary>
    /// The flat scan specialised for a <see cref="FastScanScorer"/> at the 256/512-bit levels when one 16-bit pass
    /// holds every sum (<see cref="FastScanKernel.HasSums16"/>: b = 4 up to d = 256, b = 2 up to 512, b = 1 up to
    /// 1024). Per full block the kernel's 32 exact 16-bit sums go through an integer pre-filter (<see cref="IRowFilter{TSelf}"/>:
    /// one minimum for all rows, or one per row from <paramref name="rowTerms"/> when rows carry varying factors and
    /// offsets, as centred codes do); only a block with a row that passes is converted to float, scored and offered,
    /// exactly as <see cref="SearchBlocksPerBlock"/> would. The filter is conservative, so the rows offered, their scores
    /// and their order are the same as the per-block driver's, and so is the result. No interface call, span slicing or
    /// validation per block. Allocates nothing.
    /// </summary>
    internal static void SearchFastScanBlocks(FastScanScorer scorer, ReadOnlySpan<float> scales, ReadOnlySpan<float> offsets,
        ReadOnlySpan<ulong> deleted, TopK results, int firstBlock, int endBlock, int idBase, ScoreTermRange? termRange,
        RowTerms rowTerms, BlockShifts shifts)
    {
        const int blockSize = FastScanCodes.BlockSize;
        // Full blocks only; a partial last block (rows past Count have no factors) goes through the generic driver.
        int fullEnd = Math.Min(endBlock, scorer.Count / blockSize);
        if (fullEnd > firstBlock)
        {
            int first = firstBlock * blockSize, rows = (fullEnd - firstBlock) * blockSize;
            ReadOnlySpan<float> factors = scales.Slice(first, rows);
            ReadOnlySpan<float> terms = offsets.IsEmpty ? offsets : offsets.Slice(first, rows);
            FastScanLut lut = scorer.Lut;
            if (!shifts.IsEmpty)
            {
                results.ScoreShift = 0;
                var filter = ListRowBounds.Create(rowTerms.Slice(first, rows), shifts.BlockLists[firstBlock..fullEnd],
                    shifts.ListShifts, shifts.Work, shifts.MaxMagnitude, lut.Scale, lut.Bias, results.Threshold);
                SearchFullBlocks(scorer, factors, terms, deleted, results, firstBlock, fullEnd, idBase, filter, shifts);
                results.ScoreShift = 0;
            }
            else if (!rowTerms.IsEmpty)
            {
                var filter = RowBounds.Create(rowTerms.Slice(first, rows), lut.Scale, lut.Bias, results.Threshold);
                SearchFullBlocks(scorer, factors, terms, deleted, results, firstBlock, fullEnd, idBase, filter);
            }
            else
            {
                var bound = SumThreshold.Create(lut.Scale, lut.Bias, termRange ?? ScoreTermRange.Of(factors, terms),
                    hasOffsets: !terms.IsEmpty);
                SearchFullBlocks(scorer, factors, terms, deleted, results, firstBlock, fullEnd, idBase,
                    SumFloor.Create(bound, results.Threshold));
            }
        }
        if (endBlock > Math.Max(fullEnd, firstBlock))
        {
            SearchBlocksPerBlock(scorer, scales, offsets, deleted, results, Math.Max(fullEnd, firstBlock), endBlock, idBase, shifts);
        }
    }

    private static void SearchFullBlocks<TFilter>(FastScanScorer scorer, ReadOnlySpan<float> factors, ReadOnlySpan<float> terms,
        ReadOnlySpan<ulong> deleted, TopK results, int firstBlock, int endBlock, int idBase, TFilter filter,
        BlockShifts shifts = default)
        where TFilter : IRowFilter<TFilter>, allows ref struct
    {
        if (scorer.Level == SimdLevel.Vector512)
        {
            SearchFullBlocks<FastScanWidth512, TFilter>(scorer, factors, terms, deleted, results, firstBlock, endBlock, idBase,
                filter, shifts);
        }
        else
        {
            SearchFullBlocks<FastScanWidth256, TFilter>(scorer, factors, terms, deleted, results, firstBlock, endBlock, idBase,
                filter, shifts);
        }
    }

    // factors/terms (and the filter's row terms) start at row firstBlock·32 and cover [firstBlock, endBlock) exactly
    // (terms empty for none). With shifts, the filter works at the collector's unshifted threshold and bounds each block
    // at its own shift (ListRowBounds); a candidate block is scored and offered under its shift.
    [SkipLocalsInit]
    private static void SearchFullBlocks<TWidth, TFilter>(FastScanScorer scorer, ReadOnlySpan<float> factors,
        ReadOnlySpan<float> terms, ReadOnlySpan<ulong> deleted, TopK results, int firstBlock, int endBlock, int idBase,
        TFilter filter, BlockShifts shifts)
        where TWidth : IFastScanWidth
        where TFilter : IRowFilter<TFilter>, allows ref struct
    {
        const int blockSize = FastScanCodes.BlockSize;
        Span<float> scores = stackalloc float[blockSize];
        FastScanLut lut = scorer.Lut;
        int groupCount = lut.GroupCount, blockBytes = scorer.Codes.BlockBytes;
        float scale = lut.Scale, bias = lut.Bias;
        ref byte codes = ref MemoryMarshal.GetReference(scorer.Codes.Blocks(firstBlock, endBlock - firstBlock));
        ref byte tables = ref MemoryMarshal.GetReference(lut.Tables);
        float threshold = results.Threshold;
        int local = 0, blocks = endBlock - firstBlock;
        while ((local = TWidth.NextForOneQuery(ref codes, ref tables, groupCount, blockBytes, local, blocks, in filter,
            out Vector512<ushort> sums, out uint candidates)) < blocks)
        {
            int block = firstBlock + local++;
            if ((candidates &= ~DeletedBits(deleted, block)) == 0)
            {
                continue;
            }
            int row = (block - firstBlock) * blockSize;
            if (!shifts.IsEmpty)
            {
                results.ScoreShift = shifts.Of(block);
                threshold = results.Threshold;
            }
            candidates &= TWidth.Score(sums, scale, bias, factors.Slice(row, blockSize),
                terms.IsEmpty ? terms : terms.Slice(row, blockSize), threshold, scores);
            if (Offer(results, scores, candidates, idBase + block * blockSize, ref threshold))
            {
                filter = filter.At(shifts.IsEmpty ? threshold : results.UnshiftedThreshold);
            }
        }
    }

    /// <summary>Offers the rows of <paramref name="candidates"/>; returns whether the collector's threshold moved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Offer(TopK results, Span<float> scores, uint candidates, int firstId, ref float threshold)
    {
        while (candidates != 0)
        {
            int v = BitOperations.TrailingZeroCount(candidates);
            results.TryAdd(scores[v], firstId + v);
            candidates &= candidates - 1;
        }
        float updated = results.Threshold;
        if (updated == threshold)
        {
            return false;
        }
        threshold = updated;
        return true;
    }
}

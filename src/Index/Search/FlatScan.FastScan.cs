using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

public static partial class FlatScan
{
    /// <summary>
    /// The flat scan specialised for a <see cref="FastScanScorer"/> at the 256/512-bit levels when one 16-bit pass
    /// holds every sum (<see cref="FastScanKernel.HasSums16"/>: b = 4 up to d = 256, b = 2 up to 512, b = 1 up to
    /// 1024). Per full block the kernel's 32 exact 16-bit sums are compared with the collector's threshold in the
    /// integer domain (<see cref="SumThreshold"/>, one compare for 32 rows); only a block with a row at or above it
    /// is converted to float, scored and offered, exactly as <see cref="SearchBlocksPerBlock"/> would. The bound is
    /// conservative, so the rows offered, their scores and their order are the same as the per-block driver's, and
    /// so is the result. No interface call, span slicing or validation per block. Allocates nothing.
    /// </summary>
    private static void SearchFastScanBlocks(FastScanScorer scorer, ReadOnlySpan<float> scales, ReadOnlySpan<float> offsets,
        ReadOnlySpan<ulong> deleted, TopK results, int firstBlock, int endBlock, int idBase, ScoreTermRange? termRange,
        ReadOnlySpan<float> inverseFactors, ReadOnlySpan<float> offsetRatios)
    {
        const int blockSize = FastScanCodes.BlockSize;
        // Full blocks only; a partial last block (rows past Count have no factors) goes through the generic driver.
        int fullEnd = Math.Min(endBlock, scorer.Count / blockSize);
        if (fullEnd > firstBlock && !inverseFactors.IsEmpty && scorer.Level == SimdLevel.Vector512)
        {
            int rows = (fullEnd - firstBlock) * blockSize;
            SearchFullBlocksPerRow(scorer, scales.Slice(firstBlock * blockSize, rows), offsets.Slice(firstBlock * blockSize, rows),
                inverseFactors.Slice(firstBlock * blockSize, rows), offsetRatios.Slice(firstBlock * blockSize, rows),
                deleted, results, firstBlock, fullEnd, idBase);
        }
        else if (fullEnd > firstBlock)
        {
            int rows = (fullEnd - firstBlock) * blockSize;
            ReadOnlySpan<float> factors = scales.Slice(firstBlock * blockSize, rows);
            ReadOnlySpan<float> terms = offsets.IsEmpty ? offsets : offsets.Slice(firstBlock * blockSize, rows);
            var bound = SumThreshold.Create(scorer.Lut.Scale, scorer.Lut.Bias, termRange ?? ScoreTermRange.Of(factors, terms),
                hasOffsets: !terms.IsEmpty);
            if (scorer.Level == SimdLevel.Vector512)
            {
                SearchFullBlocks<FastScanWidth512>(scorer, factors, terms, deleted, results, firstBlock, fullEnd, idBase, bound);
            }
            else
            {
                SearchFullBlocks<FastScanWidth256>(scorer, factors, terms, deleted, results, firstBlock, fullEnd, idBase, bound);
            }
        }
        if (endBlock > Math.Max(fullEnd, firstBlock))
        {
            SearchBlocksPerBlock(scorer, scales, offsets, deleted, results, Math.Max(fullEnd, firstBlock), endBlock, idBase);
        }
    }

    // factors/terms start at row firstBlock·32 and cover [firstBlock, endBlock) exactly (terms empty for none).
    [SkipLocalsInit]
    private static void SearchFullBlocks<TWidth>(FastScanScorer scorer, ReadOnlySpan<float> factors, ReadOnlySpan<float> terms,
        ReadOnlySpan<ulong> deleted, TopK results, int firstBlock, int endBlock, int idBase, SumThreshold bound)
        where TWidth : IFastScanWidth
    {
        const int blockSize = FastScanCodes.BlockSize;
        Span<float> scores = stackalloc float[blockSize];
        FastScanLut lut = scorer.Lut;
        int groupCount = lut.GroupCount, blockBytes = scorer.Codes.BlockBytes;
        float scale = lut.Scale, bias = lut.Bias;
        ref byte codes = ref MemoryMarshal.GetReference(scorer.Codes.Blocks(firstBlock, endBlock - firstBlock));
        ref byte tables = ref MemoryMarshal.GetReference(lut.Tables);
        float threshold = results.Threshold;
        Vector512<ushort> minimum = Vector512.Create(MinimumSum16(bound, threshold));
        int local = 0, blocks = endBlock - firstBlock;
        while ((local = TWidth.NextForOneQuery(ref codes, ref tables, groupCount, blockBytes, local, blocks, minimum,
            out Vector512<ushort> sums, out uint candidates)) < blocks)
        {
            int block = firstBlock + local++;
            if ((candidates &= ~DeletedBits(deleted, block)) == 0)
            {
                continue;
            }
            int row = (block - firstBlock) * blockSize;
            candidates &= TWidth.Score(sums, scale, bias, factors.Slice(row, blockSize),
                terms.IsEmpty ? terms : terms.Slice(row, blockSize), threshold, scores);
            if (Offer(results, scores, candidates, idBase + block * blockSize, ref threshold))
            {
                minimum = Vector512.Create(MinimumSum16(bound, threshold));
            }
        }
    }

    /// <summary>
    /// The pruned scan with a minimum sum per row (<see cref="FastScanKernel.NextCandidateBlock512PerRow"/>), for rows
    /// with offsets whose factors vary: each row is compared with its own bound, not the partition's widest. Offers
    /// exactly the rows the per-block driver would (the bound is conservative; scores are computed the same way).
    /// factors … offsetRatios start at row firstBlock·32 and cover [firstBlock, endBlock) exactly.
    /// </summary>
    [SkipLocalsInit]
    private static void SearchFullBlocksPerRow(FastScanScorer scorer, ReadOnlySpan<float> factors, ReadOnlySpan<float> terms,
        ReadOnlySpan<float> inverseFactors, ReadOnlySpan<float> offsetRatios, ReadOnlySpan<ulong> deleted, TopK results,
        int firstBlock, int endBlock, int idBase)
    {
        const int blockSize = FastScanCodes.BlockSize;
        Span<float> scores = stackalloc float[blockSize];
        FastScanLut lut = scorer.Lut;
        int groupCount = lut.GroupCount, blockBytes = scorer.Codes.BlockBytes;
        float scale = lut.Scale, bias = lut.Bias;
        ref byte codes = ref MemoryMarshal.GetReference(scorer.Codes.Blocks(firstBlock, endBlock - firstBlock));
        ref byte tables = ref MemoryMarshal.GetReference(lut.Tables);
        ref float inverse = ref MemoryMarshal.GetReference(inverseFactors);
        ref float ratios = ref MemoryMarshal.GetReference(offsetRatios);
        float threshold = results.Threshold;
        int local = 0, blocks = endBlock - firstBlock;
        // −∞ (collector not full) as the lowest float: T·(1/A) stays a number (−∞·0 would be NaN); every row passes.
        while ((local = FastScanKernel.NextCandidateBlock512PerRow(ref codes, ref tables, groupCount, blockBytes, local, blocks,
            MathF.Max(threshold, float.MinValue), scale, bias, ref inverse, ref ratios, out Vector512<ushort> sums, out uint candidates)) < blocks)
        {
            int block = firstBlock + local++;
            if ((candidates &= ~DeletedBits(deleted, block)) == 0)
            {
                continue;
            }
            int row = (block - firstBlock) * blockSize;
            candidates &= FastScanWidth512.Score(sums, scale, bias, factors.Slice(row, blockSize), terms.Slice(row, blockSize),
                threshold, scores);
            Offer(results, scores, candidates, idBase + block * blockSize, ref threshold);
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

    /// <summary>The 16-bit integer threshold: sums are ≤ 65280, so 65535 (no sum reaches it) stands for "none can".</summary>
    private static ushort MinimumSum16(SumThreshold bound, float threshold) =>
        (ushort)Math.Min(bound.MinimumSum(threshold, ushort.MaxValue), ushort.MaxValue);
}

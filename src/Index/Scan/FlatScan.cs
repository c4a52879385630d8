using System.Numerics;
using System.Runtime.CompilerServices;

namespace VectorDb.Index.Scan;

/// <summary>
/// Flat (exhaustive) scan over every block of an <see cref="IBlockScorer"/>: score_i = A_i·raw_i (+ B_i when
/// per-vector offsets are given, as one fused multiply-add), rows marked in the deleted bitmap skipped, the best
/// into a <see cref="TopK"/> sized to the number of candidates wanted for exact re-ranking.
/// <para>Larger is better. For L2 pass the negated distance terms, e.g. A_i = 2·S_i and B_i = −T_i for
/// −(‖y‖² + T_i − 2·S_i·⟨Πy, q_i⟩) with the per-query constant ‖y‖² dropped.</para>
/// <para>Deleted bitmap: bit (row mod 64) of word row/64 set means deleted; rows past the bitmap's end are live.
/// The single-threaded scan allocates nothing.</para>
/// </summary>
public static partial class FlatScan
{
    /// <summary>Scans every block and offers the survivors to <paramref name="results"/> (which is not cleared).</summary>
    /// <param name="scorer">The query bound to a code store.</param>
    /// <param name="scales">A_i, one per row (length ≥ scorer.Count).</param>
    /// <param name="offsets">B_i, one per row, or empty for none.</param>
    /// <param name="deleted">Tombstone bitmap, or empty when nothing is deleted.</param>
    /// <param name="results">Collector; its capacity is the number of candidates returned.</param>
    public static void Search(IBlockScorer scorer, ReadOnlySpan<float> scales, ReadOnlySpan<float> offsets,
        ReadOnlySpan<ulong> deleted, TopK results)
    {
        Validate(scorer, scales, offsets, results);
        SearchBlocks(scorer, scales, offsets, deleted, results, 0, scorer.BlockCount);
    }

    internal static void Validate(IBlockScorer scorer, ReadOnlySpan<float> scales, ReadOnlySpan<float> offsets, TopK results)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(results);
        if (scales.Length < scorer.Count)
        {
            throw new ArgumentException($"scales holds {scales.Length} factors; the store has {scorer.Count} rows.", nameof(scales));
        }
        if (!offsets.IsEmpty && offsets.Length < scorer.Count)
        {
            throw new ArgumentException(
                $"offsets holds {offsets.Length} terms; the store has {scorer.Count} rows (pass an empty span for none).", nameof(offsets));
        }
    }

    // idBase is added to every row id offered to `results`, so that several stores (IVF lists) can share one
    // collector, and with it one pruning threshold, under disjoint id ranges. termRange, when given, covers at least
    // the scanned rows' factors and offsets (a partition's cached range); null = read them here.
    // rowTerms (1/A and B/A per row from row 0, or empty) let the pruned fast scan bound each row on its own.
    // shifts, when given (pooled code lists), add each block's list centre term to its rows' scores through the
    // collector's ScoreShift, which the scan leaves at 0; they need rowTerms for the pruned fast scan.
    internal static void SearchBlocks(IBlockScorer scorer, ReadOnlySpan<float> scales, ReadOnlySpan<float> offsets,
        ReadOnlySpan<ulong> deleted, TopK results, int firstBlock, int endBlock, int idBase = 0, ScoreTermRange? termRange = null,
        RowTerms rowTerms = default, BlockShifts shifts = default)
    {
        // The scorer picks its driver (IBlockScorer.SearchBlocks): fast-scan codes the pruned scan, the rest the
        // per-block driver below. One interface call per scan, none per block.
        scorer.SearchBlocks(scales, offsets, deleted, results, firstBlock, endBlock, idBase, termRange, rowTerms, shifts);
    }

    /// <summary>
    /// The generic driver: one <see cref="IBlockScorer"/> call per block, float scores compared with the threshold.
    /// Every scorer and level goes through here except the pruned fast-scan path (which must offer the same rows).
    /// </summary>
    [SkipLocalsInit]
    internal static void SearchBlocksPerBlock(IBlockScorer scorer, ReadOnlySpan<float> scales, ReadOnlySpan<float> offsets,
        ReadOnlySpan<ulong> deleted, TopK results, int firstBlock, int endBlock, int idBase = 0, BlockShifts shifts = default)
    {
        const int blockSize = FastScanCodes.BlockSize;
        Span<float> scores = stackalloc float[blockSize];
        int count = scorer.Count;
        for (int block = firstBlock; block < endBlock; block++)
        {
            int first = block * blockSize;
            int rows = Math.Min(blockSize, count - first);
            uint live = rows == blockSize ? uint.MaxValue : (1u << rows) - 1;
            live &= ~DeletedBits(deleted, block);
            if (live == 0)
            {
                continue;
            }
            if (!shifts.IsEmpty)
            {
                results.ScoreShift = shifts.Of(block);
            }
            uint candidates = live & scorer.ScoreBlock(block, scales.Slice(first, rows),
                offsets.IsEmpty ? offsets : offsets.Slice(first, rows), results.Threshold, scores);
            while (candidates != 0)
            {
                int v = BitOperations.TrailingZeroCount(candidates);
                results.TryAdd(scores[v], idBase + first + v);
                candidates &= candidates - 1;
            }
        }
        if (!shifts.IsEmpty)
        {
            results.ScoreShift = 0;
        }
    }

    /// <summary>The 32 deleted bits of one block (block b covers bits [32·b, 32·b+32) of the bitmap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint DeletedBits(ReadOnlySpan<ulong> deleted, int block)
    {
        int word = block >> 1;
        return word < deleted.Length ? (uint)(deleted[word] >> ((block & 1) * 32)) : 0u;
    }
}

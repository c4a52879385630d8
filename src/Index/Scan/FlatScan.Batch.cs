using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

public static partial class FlatScan
{
    /// <summary>
    /// Whether <see cref="SearchFastScanBatch(ReadOnlySpan{IBlockScorer}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{ulong}, ReadOnlySpan{TopK}, ScoreTermRange, RowTerms, int, BatchBlockShifts)"/>
    /// can scan these queries together: 2 to <see cref="FastScanKernel.BatchQueries"/> queries whose first scorer says
    /// it can drive a batched pass over them all (<see cref="IBlockScorer.CanSearchBatchWith"/>: fast-scan scorers over
    /// the same codes at a level with a batched kernel).
    /// </summary>
    internal static bool CanSearchBatch(ReadOnlySpan<IBlockScorer> scorers) =>
        scorers.Length >= 2 && scorers.Length <= FastScanKernel.BatchQueries && scorers[0].CanSearchBatchWith(scorers);

    /// <summary>The batched scan of queries <see cref="CanSearchBatch"/> accepts, driven by the first scorer
    /// (<see cref="IBlockScorer.SearchBatch"/>), which hands its kind's driver below the queries as its own type.</summary>
    internal static void SearchFastScanBatch(ReadOnlySpan<IBlockScorer> scorers, ReadOnlySpan<float> scales,
        ReadOnlySpan<float> offsets, ReadOnlySpan<ulong> deleted, ReadOnlySpan<TopK> results, ScoreTermRange termRange,
        RowTerms rowTerms = default, int idBase = 0, BatchBlockShifts shifts = default) =>
        scorers[0].SearchBatch(scorers, scales, offsets, deleted, results, termRange, rowTerms, idBase, shifts);

    /// <summary>
    /// The pruned flat scan (<see cref="SearchFastScanBlocks"/>) of 2 to 4 queries in as few passes over the codes as
    /// the level's kernel allows (one at 512 bits, two at 256): query i's rows go to <paramref name="results"/>[i]. Each
    /// query sees the blocks in the same order and offers exactly the rows its own one-query scan offers (its filter
    /// moves only with its own offers), so every collector ends as that scan would leave it. The caller checks
    /// <see cref="IBlockScorer.CanSearchBatchWith"/>. Allocates nothing.
    /// </summary>
    /// <param name="scorers">The queries, bound to the same codes.</param>
    /// <param name="scales">A_i, one per row (as for one query).</param>
    /// <param name="offsets">B_i, one per row, or empty for none.</param>
    /// <param name="deleted">Tombstone bitmap, or empty.</param>
    /// <param name="results">One collector per query.</param>
    /// <param name="termRange">Covers at least every row's factor and offset (the partition's cached range).</param>
    /// <param name="rowTerms">1/A and B/A per row for a per-row pre-filter (centred codes), or empty for one bound.</param>
    /// <param name="idBase">Added to each row to give the id it is offered under (an IVF list's virtual ids).</param>
    /// <param name="shifts">Per query, each block's list centre term (pooled code lists; needs <paramref name="rowTerms"/>),
    /// or empty. The collectors' <see cref="TopK.ScoreShift"/> is left at 0.</param>
    internal static void SearchFastScanBatch(ReadOnlySpan<FastScanScorer> scorers, ReadOnlySpan<float> scales,
        ReadOnlySpan<float> offsets, ReadOnlySpan<ulong> deleted, ReadOnlySpan<TopK> results, ScoreTermRange termRange,
        RowTerms rowTerms, int idBase, BatchBlockShifts shifts)
    {
        if (!shifts.IsEmpty && rowTerms.IsEmpty)
        {
            throw new ArgumentException("block shifts need the per-row terms of centred codes.", nameof(shifts));
        }
        if (scorers[0].Level == SimdLevel.Vector512)
        {
            SearchInPasses<FastScanWidth512>(scorers, scales, offsets, deleted, results, termRange, rowTerms, idBase, shifts);
        }
        else
        {
            SearchInPasses<FastScanWidth256>(scorers, scales, offsets, deleted, results, termRange, rowTerms, idBase, shifts);
        }
    }

    // Passes of TWidth.Queries queries; a lone query left over takes the one-query scan (a pass costs about the same).
    private static void SearchInPasses<TWidth>(ReadOnlySpan<FastScanScorer> scorers, ReadOnlySpan<float> scales,
        ReadOnlySpan<float> offsets, ReadOnlySpan<ulong> deleted, ReadOnlySpan<TopK> results, ScoreTermRange termRange,
        RowTerms rowTerms, int idBase, BatchBlockShifts shifts)
        where TWidth : IFastScanWidth
    {
        const int blockSize = FastScanCodes.BlockSize;
        FastScanScorer first = scorers[0];
        int fullEnd = first.Count / blockSize;
        for (int start = 0; start < scorers.Length; start += TWidth.Queries)
        {
            int queries = Math.Min(TWidth.Queries, scorers.Length - start);
            if (queries == 1)
            {
                SearchBlocks(scorers[start], scales, offsets, deleted, results[start], 0, first.BlockCount, idBase, termRange,
                    rowTerms, shifts.For(start));
                continue;
            }
            if (fullEnd > 0)
            {
                ReadOnlySpan<FastScanScorer> pass = scorers.Slice(start, queries);
                ReadOnlySpan<float> factors = scales[..(fullEnd * blockSize)];
                ReadOnlySpan<float> terms = offsets.IsEmpty ? offsets : offsets[..(fullEnd * blockSize)];
                ReadOnlySpan<TopK> collectors = results.Slice(start, queries);
                if (!shifts.IsEmpty)
                {
                    RowTerms full = rowTerms.Slice(0, fullEnd * blockSize);
                    BatchBlockShifts passShifts = shifts.Slice(start, queries);
                    SearchFullBlocksBatch<TWidth, ListRowBounds>(pass, factors, terms, deleted, collectors, fullEnd, idBase,
                        ListBoundsFor(pass, 0, collectors, full, passShifts), ListBoundsFor(pass, 1, collectors, full, passShifts),
                        ListBoundsFor(pass, 2, collectors, full, passShifts), ListBoundsFor(pass, 3, collectors, full, passShifts),
                        passShifts);
                }
                else if (rowTerms.IsEmpty)
                {
                    SearchFullBlocksBatch<TWidth, SumFloor>(pass, factors, terms, deleted, collectors, fullEnd, idBase,
                        FloorFor(pass, 0, collectors, termRange, terms), FloorFor(pass, 1, collectors, termRange, terms),
                        FloorFor(pass, 2, collectors, termRange, terms), FloorFor(pass, 3, collectors, termRange, terms));
                }
                else
                {
                    RowTerms full = rowTerms.Slice(0, fullEnd * blockSize);
                    SearchFullBlocksBatch<TWidth, RowBounds>(pass, factors, terms, deleted, collectors, fullEnd, idBase,
                        BoundsFor(pass, 0, collectors, full), BoundsFor(pass, 1, collectors, full),
                        BoundsFor(pass, 2, collectors, full), BoundsFor(pass, 3, collectors, full));
                }
            }
            for (int q = start; q < start + queries && first.BlockCount > fullEnd; q++)
            {
                SearchBlocksPerBlock(scorers[q], scales, offsets, deleted, results[q], fullEnd, first.BlockCount, idBase,
                    shifts.For(q));
            }
        }
    }

    // Query q's filter at its collector's threshold; for a slot past the batch, one no row passes.
    private static SumFloor FloorFor(ReadOnlySpan<FastScanScorer> scorers, int q, ReadOnlySpan<TopK> results,
        ScoreTermRange termRange, ReadOnlySpan<float> terms)
    {
        FastScanLut lut = Lut(scorers, Math.Min(q, scorers.Length - 1));
        var filter = SumFloor.Create(SumThreshold.Create(lut.Scale, lut.Bias, termRange, hasOffsets: !terms.IsEmpty),
            q < results.Length ? results[q].Threshold : float.NegativeInfinity);
        return q < results.Length ? filter : filter.None();
    }

    private static RowBounds BoundsFor(ReadOnlySpan<FastScanScorer> scorers, int q, ReadOnlySpan<TopK> results, RowTerms terms)
    {
        FastScanLut lut = Lut(scorers, Math.Min(q, scorers.Length - 1));
        var filter = RowBounds.Create(terms, lut.Scale, lut.Bias, q < results.Length ? results[q].Threshold : float.NegativeInfinity);
        return q < results.Length ? filter : filter.None();
    }

    // Query q's list filter at its collector's unshifted threshold; for a slot past the batch, one no row passes.
    private static ListRowBounds ListBoundsFor(ReadOnlySpan<FastScanScorer> scorers, int q, ReadOnlySpan<TopK> results,
        RowTerms terms, BatchBlockShifts shifts)
    {
        int query = Math.Min(q, scorers.Length - 1);
        FastScanLut lut = Lut(scorers, query);
        if (q < results.Length)
        {
            results[q].ScoreShift = 0;
        }
        var filter = ListRowBounds.Create(terms, shifts.BlockLists, shifts.ListShifts[query], shifts.Work[query],
            shifts.MaxMagnitude, lut.Scale, lut.Bias, q < results.Length ? results[q].Threshold : float.NegativeInfinity);
        return q < results.Length ? filter : filter.None();
    }

    // factors/terms (and the filters' row terms) cover the full blocks [0, blocks) exactly (terms empty for none);
    // 2 to TWidth.Queries scorers; row r is offered as id idBase + r. With shifts, as the one-query scan with shifts.
    [SkipLocalsInit]
    private static void SearchFullBlocksBatch<TWidth, TFilter>(ReadOnlySpan<FastScanScorer> scorers, ReadOnlySpan<float> factors,
        ReadOnlySpan<float> terms, ReadOnlySpan<ulong> deleted, ReadOnlySpan<TopK> results, int blocks, int idBase, TFilter filter0,
        TFilter filter1, TFilter filter2, TFilter filter3, BatchBlockShifts shifts = default)
        where TWidth : IFastScanWidth
        where TFilter : IRowFilter<TFilter>, allows ref struct
    {
        const int blockSize = FastScanCodes.BlockSize;
        Span<float> scores = stackalloc float[blockSize];
        int queries = scorers.Length;
        FastScanScorer first = scorers[0];
        int groupCount = first.Lut.GroupCount, blockBytes = first.Codes.BlockBytes;
        // Per query its threshold and filter. Slots past the batch reuse query 0's tables with a filter no row passes.
        Span<float> thresholds = stackalloc float[FastScanKernel.BatchQueries];
        for (int q = 0; q < queries; q++)
        {
            thresholds[q] = results[q].Threshold;
        }
        ref byte codes = ref MemoryMarshal.GetReference(first.Codes.Blocks(0, blocks));
        ref byte tables0 = ref Tables(scorers, 0);
        ref byte tables1 = ref Tables(scorers, 1);
        ref byte tables2 = ref Tables(scorers, 2);
        ref byte tables3 = ref Tables(scorers, 3);
        int block = 0;
        while ((block = TWidth.Next(ref codes, ref tables0, ref tables1, ref tables2, ref tables3, groupCount, blockBytes,
            block, blocks, in filter0, in filter1, in filter2, in filter3, out Vector512x4 sums, out Mask32x4 candidates)) < blocks)
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
                FastScanLut lut = Lut(scorers, q);
                if (!shifts.IsEmpty)
                {
                    results[q].ScoreShift = shifts.ListShifts[q][shifts.BlockLists[block]];
                    thresholds[q] = results[q].Threshold;
                }
                mask &= TWidth.Score(sums[q], lut.Scale, lut.Bias, factors.Slice(row, blockSize),
                    terms.IsEmpty ? terms : terms.Slice(row, blockSize), thresholds[q], scores);
                if (Offer(results[q], scores, mask, idBase + row, ref thresholds[q]))
                {
                    float filterThreshold = shifts.IsEmpty ? thresholds[q] : results[q].UnshiftedThreshold;
                    switch (q)
                    {
                        case 0: filter0 = filter0.At(filterThreshold); break;
                        case 1: filter1 = filter1.At(filterThreshold); break;
                        case 2: filter2 = filter2.At(filterThreshold); break;
                        default: filter3 = filter3.At(filterThreshold); break;
                    }
                }
            }
            block++;
        }
        for (int q = 0; q < queries && !shifts.IsEmpty; q++)
        {
            results[q].ScoreShift = 0;
        }
    }

    private static FastScanLut Lut(ReadOnlySpan<FastScanScorer> scorers, int q) => scorers[q].Lut;

    /// <summary>Query <paramref name="q"/>'s tables, or query 0's for an unused slot.</summary>
    private static ref byte Tables(ReadOnlySpan<FastScanScorer> scorers, int q) =>
        ref MemoryMarshal.GetReference(scorers[q < scorers.Length ? q : 0].Lut.Tables);
}

using System.Collections.Concurrent;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

/// <summary>
/// One query's way through the index, under the index's read lock: prepare the query (rotation, lookup tables, centre
/// terms), choose the lists, scan them into one top-k collector (the flat partition, the pooled code lists, or the
/// probed IVF lists under virtual ids), map the scan's ids back to rows, refine, re-rank and write the hits
/// (<see cref="Search"/>); <see cref="QueryPipeline"/>'s batch part scans a group of queries together, taking the read
/// lock per group itself. Owns the pool of per-query scratch, so that a warm query allocates nothing.
/// </summary>
/// <param name="indexLock">The index's lock (a batch takes it per group).</param>
/// <param name="indexOptions">The index's options.</param>
/// <param name="quantizer">The collection's quantizer.</param>
/// <param name="rowTable">The rows (live count, point ids).</param>
/// <param name="originals">The exact scorer.</param>
/// <param name="ivfLists">The lists and scan partitions.</param>
/// <param name="family">The scan's code family (query tables, scorers).</param>
/// <param name="centring">Whether records are centred.</param>
/// <param name="refiner">Candidate refinement.</param>
/// <param name="rerank">Re-ranking and hits.</param>
internal sealed partial class QueryPipeline(ReaderWriterLockSlim indexLock, VectorIndexOptions indexOptions,
    IVectorQuantizer quantizer, RowTable rowTable, RowOriginals originals, IvfLists ivfLists, CodeFamily family,
    CodeCentring centring, CandidateRefiner refiner, CandidateRerank rerank)
{
    /// <summary>Bytes of the next IVF list's codes prefetched while the current list is scanned: 4 KB covers a typical
    /// list (≈ 200 vectors × 50 B at 1,024 lists and 200k vectors) and costs 64 hint instructions.</summary>
    private const int NextListPrefetchBytes = 4096;

    private readonly ConcurrentBag<QueryScratch> _scratch = [];
    private readonly bool _centred = centring.IsCentred;

    private VectorIndexOptions Options => indexOptions;

    private IVectorQuantizer Quantizer => quantizer;

    private CodePartition[] Partitions => ivfLists.Partitions;

    private int Count => rowTable.Count;

    private int ListCount => ivfLists.Count;

    /// <summary>Whether every search scans every list: a flat index, or any index while its lists are code lists.</summary>
    private bool ScansAllLists => Options.Kind == IndexLayout.Flat || ivfLists.AreCodeLists;

    /// <summary>A scratch from the pool (a new one when it is empty), given back when the lease is disposed.</summary>
    public ScratchLease Rent() => new(this, RentScratch());

    private QueryScratch RentScratch() =>
        _scratch.TryTake(out var scratch) ? scratch : new QueryScratch(Quantizer, family);

    private void Return(QueryScratch scratch) => _scratch.Add(scratch);

    /// <summary>One query's scratch (<see cref="Rent"/>): <c>using</c> gives it back to the pool.</summary>
    internal readonly ref struct ScratchLease(QueryPipeline pipeline, QueryScratch scratch)
    {
        public QueryScratch Scratch => scratch;

        public void Dispose() => pipeline.Return(scratch);
    }

    /// <summary>The search of a checked query and options with room for k hits (read lock held).</summary>
    public int Search(ReadOnlySpan<float> query, SearchOptions options, QueryScratch scratch, Span<SearchHit> hits,
        out SearchStatistics statistics, RowMask? rows)
    {
        if (Count == 0)
        {
            statistics = default;
            return 0;
        }
        BeginQuery(query, options, scratch);
        Scan(scratch, options, rows);
        return FinishQuery(query, options, scratch, hits, out statistics);
    }

    /// <summary>Sizes the scratch's collectors for these options and prepares the query (index not empty, read lock held).</summary>
    private void BeginQuery(ReadOnlySpan<float> query, SearchOptions options, QueryScratch scratch)
    {
        (int k, int pool) = CandidateCounts(options);
        scratch.Reserve(pool, k, ListCount);
        PrepareQuery(query, scratch);
        float window = RerankModeFor(options) == Reranking.Auto ? rerank.AutoWindow(scratch, options.Confidence) : float.PositiveInfinity;
        if (float.IsFinite(window))
        {
            scratch.Candidates!.SetLeadWindow(k, window);
        }
        else
        {
            scratch.Candidates!.SetLeadWindow(0, 0);
        }
    }

    /// <summary>Results to return and candidates to collect: k capped by the index size; the re-rank pool.</summary>
    private (int K, int Pool) CandidateCounts(SearchOptions options)
    {
        int k = Math.Min(options.K, Count);
        long wanted = RerankModeFor(options) == Reranking.None ? (refiner.Refines ? (long)CandidateRefiner.RefinePool * k : k)
            : (long)Math.Ceiling(options.K * options.Oversampling);
        return (k, (int)Math.Clamp(wanted, k, Count));
    }

    private Reranking RerankModeFor(SearchOptions options) => originals.Scorer is null ? Reranking.None : options.Rerank;

    /// <summary>After the scan: sorts the candidates, re-ranks them as the options say and writes the hits.</summary>
    private int FinishQuery(ReadOnlySpan<float> query, SearchOptions options, QueryScratch scratch, Span<SearchHit> hits,
        out SearchStatistics statistics)
    {
        int k = CandidateCounts(options).K;
        int candidates = scratch.Candidates!.CopySortedTo(scratch.Sorted);
        if (ivfLists.Pooled is not null)
        {
            ivfLists.TranslatePoolRows(scratch.Sorted.AsSpan(0, candidates));
        }
        else if (Partitions.Length > 1)
        {
            ivfLists.TranslateVirtualIds(scratch.Sorted.AsSpan(0, candidates), scratch.ProbeBases(scratch.ProbedLists), scratch.ProbeOrder);
        }
        if (refiner.Refines)
        {
            refiner.Refine(scratch, candidates);
        }
        else if (_centred && ListCount == 1)
        {
            // The flat scan ranks without the centre term, a constant per query: add it to the estimates now.
            // Float addition of the float shift, exactly as TopK.ScoreShift adds it for IVF lists.
            float shift = (float)scratch.Shifts[0];
            for (int i = 0; i < candidates; i++)
            {
                scratch.Sorted[i] = new ScoredSlot(scratch.Sorted[i].Slot, scratch.Sorted[i].Score + shift);
            }
        }
        int found = rerank.Run(query, scratch, RerankModeFor(options), k, candidates, options.Confidence, hits, out int reranked);
        statistics = new SearchStatistics(reranked, candidates);
        return found;
    }

    /// <summary>Rotates the query once and fills the per-query lookup tables.</summary>
    private void PrepareQuery(ReadOnlySpan<float> query, QueryScratch scratch)
    {
        query.CopyTo(scratch.Query);
        if (Options.Metric == Metric.Cosine)
        {
            Common.UnitNormalisation.Normalise(scratch.Query);
        }
        scratch.Estimator.Prepare(scratch.Query);
        // One set of tables from Πq serves every partition, whatever its centre: each record's offset β already holds
        // its centre's share of the code sum (−A·⟨Πc, q̂⟩).
        scratch.Tables.Build(scratch.Estimator.RotatedQuery, scratch.Estimator.ProjectedQuery,
            Quantizer.Codebook is { } codebook ? codebook.Centroids : default);
        if (ListCount == 1)
        {
            scratch.Shifts[0] = CentreShift(0, scratch.Query);
        }
    }

    private void Scan(QueryScratch scratch, SearchOptions options, RowMask? rows)
    {
        TopK candidates = scratch.Candidates!;
        if (ivfLists.Pooled is { } pooled)
        {
            // Code lists: the pool in one pass, each block's rows raised by its list's centre term. One thread (as the
            // lists scanned one by one were); ids are pool rows, mapped back by IvfLists.TranslatePoolRows.
            CodePartition pool = Partitions[0];
            IBlockScorer scorer = CachedScorer(0, scratch);
            ReadOnlyMemory<ulong> excluded = rows is null ? pool.Deleted : ExcludedRows(pool, rows, scratch);
            FlatScan.Validate(scorer, pool.Factors.Span, pool.Offsets.Span, candidates);
            FlatScan.SearchBlocks(scorer, pool.Factors.Span, pool.Offsets.Span, excluded.Span, candidates, 0, scorer.BlockCount,
                0, pool.TermRange, pool.RowTerms, ListShiftsOf(scratch, pooled));
            scratch.ProbedLists = pooled.ListCount;
            return;
        }
        if (Partitions.Length == 1)
        {
            // Flat: partition rows are the global rows, so the scan writes global ids directly.
            CodePartition partition = Partitions[0];
            IBlockScorer scorer = CachedScorer(0, scratch);
            ReadOnlyMemory<ulong> excluded = rows is null ? partition.Deleted : ExcludedRows(partition, rows, scratch);
            if (options.Threads > 1)
            {
                FlatScan.SearchParallel(scorer, partition.Factors, partition.Offsets, excluded, candidates, options.Threads,
                    partition.TermRange);
            }
            else
            {
                FlatScan.Validate(scorer, partition.Factors.Span, partition.Offsets.Span, candidates);
                FlatScan.SearchBlocks(scorer, partition.Factors.Span, partition.Offsets.Span, excluded.Span, candidates,
                    0, scorer.BlockCount, 0, partition.TermRange, PerRowTerms(partition));
            }
            return;
        }
        // IVF: every probed list scans into the same collector (so the pruning threshold carries across lists) under
        // a virtual id range: list i of the probe order owns ids [bases[i], bases[i] + rows). Ids are mapped back to
        // global rows by IvfLists.TranslateVirtualIds once the candidates are sorted.
        ReadOnlySpan<int> lists = ListsToScan(scratch, options);
        Span<int> bases = scratch.ProbeBases(lists.Length);
        int virtualBase = 0;
        for (int i = 0; i < lists.Length; i++)
        {
            CodePartition partition = Partitions[lists[i]];
            if (i + 1 < lists.Length)
            {
                Partitions[lists[i + 1]].FastCodes?.Prefetch(NextListPrefetchBytes);
            }
            bases[i] = virtualBase;
            if (partition.LiveCount > 0)
            {
                double shift = CentreShift(lists[i], scratch.Query);
                scratch.Shifts[lists[i]] = shift;
                candidates.ScoreShift = (float)shift;
                IBlockScorer scorer = CachedScorer(lists[i], scratch);
                ReadOnlyMemory<ulong> excluded = rows is null ? partition.Deleted : ExcludedRows(partition, rows, scratch);
                FlatScan.Validate(scorer, partition.Factors.Span, partition.Offsets.Span, candidates);
                FlatScan.SearchBlocks(scorer, partition.Factors.Span, partition.Offsets.Span, excluded.Span, candidates,
                    0, scorer.BlockCount, virtualBase, partition.TermRange, PerRowTerms(partition));
            }
            virtualBase += partition.Count;
        }
        candidates.ScoreShift = 0;
        scratch.ProbedLists = lists.Length;
    }

    /// <summary>The lists a query scans, in scan order (<see cref="IvfLists.ListsToScan"/>).</summary>
    private ReadOnlySpan<int> ListsToScan(QueryScratch scratch, SearchOptions options) =>
        ivfLists.ListsToScan(scratch, ScansAllLists, options.ProbesFor(ListCount), Quantizer.Level);

    /// <summary>The per-row pre-filter terms for centred codes (their factors vary from row to row); empty otherwise,
    /// which keeps the one-bound scan for format 1, where it was measured to be as fast.</summary>
    private RowTerms PerRowTerms(CodePartition partition) => _centred ? partition.RowTerms : default;

    /// <summary>Every code list's centre term for this query, kept in the scratch (refinement and the auto bound read
    /// them), as the pooled scan's block shifts.</summary>
    private BlockShifts ListShiftsOf(QueryScratch scratch, CodeListBlocks pooled)
    {
        Span<double> shifts = scratch.Shifts.AsSpan(0, pooled.ListCount);
        if (ivfLists.Residual)
        {
            // CentreShift of every list in one pass over the centroids (the same doubles, bit for bit).
            Quantization.FixedOrderSums.DotRows(ivfLists.CentroidVectors, scratch.Query, shifts, Quantizer.Level);
            if (Options.Metric == Metric.L2)
            {
                foreach (ref double shift in shifts)
                {
                    shift *= 2;
                }
            }
        }
        else
        {
            for (int list = 0; list < shifts.Length; list++)
            {
                shifts[list] = CentreShift(list, scratch.Query);
            }
        }
        float magnitude = 0;
        for (int list = 0; list < shifts.Length; list++)
        {
            scratch.ListShifts[list] = (float)shifts[list];
            magnitude = MathF.Max(magnitude, MathF.Abs(scratch.ListShifts[list]));
        }
        return new BlockShifts(pooled.BlockLists, scratch.ListShifts.AsSpan(0, pooled.ListCount), magnitude, scratch.ListWork);
    }

    /// <summary>The ranking score's part along a partition's centre (<see cref="IvfLists.CentreShift"/>).</summary>
    private double CentreShift(int partition, ReadOnlySpan<float> query) => ivfLists.CentreShift(partition, query);

    private IBlockScorer CachedScorer(int partition, QueryScratch scratch)
    {
        ref IBlockScorer? cached = ref scratch.Scorer(Partitions, partition);
        return cached ??= CreateScorer(Partitions[partition], scratch);
    }

    private IBlockScorer CreateScorer(CodePartition partition, QueryScratch scratch)
    {
        IBlockScorer? codes = family.CodeScorer(partition.FastCodes, partition.GridCodes, scratch.Tables);
        return partition.Signs is null ? codes! : new QjlScorer(codes, family.SignScorer(partition.Signs, scratch.Tables), new PartitionSignFactors(partition));
    }

    /// <summary>Tombstones OR the rows <paramref name="rows"/> does not choose, as one bitmap over the partition's rows.</summary>
    private static ReadOnlyMemory<ulong> ExcludedRows(CodePartition partition, RowMask rows, QueryScratch scratch)
    {
        int count = partition.Count;
        ulong[] mask = scratch.Mask((count + 63) / 64);
        ReadOnlySpan<ulong> deleted = partition.Deleted.Span;
        ReadOnlySpan<int> globalRows = partition.GlobalRows;
        for (int word = 0; word < (count + 63) / 64; word++)
        {
            ulong bits = word < deleted.Length ? deleted[word] : 0;
            int end = Math.Min(count, (word + 1) * 64);
            for (int row = word * 64; row < end; row++)
            {
                if (!rows.Contains(globalRows[row]))
                {
                    bits |= 1UL << (row & 63);
                }
            }
            mask[word] = bits;
        }
        return mask.AsMemory(0, (count + 63) / 64);
    }

    /// <summary>The ids of the live rows in the lists a search of <paramref name="query"/> probes, into
    /// <paramref name="ids"/> (see <see cref="VectorIndex.ProbedIds"/>); false when it scans every row. Read lock held.</summary>
    public bool ProbedIds(in CheckedQuery query, QueryScratch scratch, List<ulong> ids)
    {
        if (Count == 0 || ScansAllLists || Partitions.Length == 1 || query.Options.ProbesFor(ListCount) >= ListCount)
        {
            return false;
        }
        scratch.Reserve(1, 1, ListCount);
        query.Vector.Span.CopyTo(scratch.Query);
        if (Options.Metric == Metric.Cosine)
        {
            Common.UnitNormalisation.Normalise(scratch.Query);
        }
        foreach (int list in ListsToScan(scratch, query.Options))
        {
            CodePartition partition = Partitions[list];
            ReadOnlySpan<int> globalRows = partition.GlobalRows;
            ReadOnlySpan<ulong> deleted = partition.Deleted.Span;
            for (int row = 0; row < globalRows.Length; row++)
            {
                if ((deleted[row >> 6] & (1UL << (row & 63))) == 0)
                {
                    ids.Add(rowTable.IdOf(globalRows[row]));
                }
            }
        }
        return true;
    }
}

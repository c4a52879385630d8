using VectorDb.Index.Rerank;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

public sealed partial class VectorIndex
{
    /// <summary>Bytes of the next IVF list's codes prefetched while the current list is scanned: 4 KB covers a typical
    /// list (≈ 200 vectors × 50 B at 1,024 lists and 200k vectors) and costs 64 hint instructions.</summary>
    private const int NextListPrefetchBytes = 4096;

    /// <summary>
    /// The best <see cref="SearchOptions.K"/> vectors for <paramref name="query"/>: scan the codes (every code for a flat
    /// index, the nprobe nearest lists for IVF), keep the best ⌈k·oversampling⌉ estimates, re-rank them exactly as
    /// <see cref="SearchOptions.Rerank"/> says, return best first. <paramref name="rows"/>, when given, restricts the
    /// results to the rows it chooses (<see cref="RowsOf"/>) during the scan (a row outside it never takes a candidate
    /// slot), so a selective filter still yields k results when k chosen vectors exist in the scanned lists.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong query length, a NaN/infinite coordinate, or invalid options.</exception>
    public SearchResult Search(ReadOnlySpan<float> query, SearchOptions options, RowMask? rows = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hits = new SearchHit[options.K];
        int found = Search(query, options, hits, out SearchStatistics statistics, rows);
        return new SearchResult(found == hits.Length ? hits : hits[..found], statistics.Reranked, statistics.Candidates);
    }

    /// <summary>
    /// The same search writing the hits, best first, into <paramref name="hits"/> (room for at least
    /// <see cref="SearchOptions.K"/>); returns how many were written. Allocates nothing once the index's per-query
    /// scratch is warm.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, SearchOptions options, Span<SearchHit> hits, out SearchStatistics statistics,
        RowMask? rows = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ValidateQuery(query);
        if (hits.Length < options.K)
        {
            throw new ArgumentException($"hits has room for {hits.Length} results; k is {options.K}.", nameof(hits));
        }
        return SearchChecked(query, options, hits, out statistics, rows);
    }

    /// <summary>The search itself, for a checked query and options and room for k hits.</summary>
    private int SearchChecked(ReadOnlySpan<float> query, SearchOptions options, Span<SearchHit> hits, out SearchStatistics statistics,
        RowMask? rows)
    {
        QueryScratch scratch = RentScratch();
        _lock.EnterReadLock();
        try
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
        finally
        {
            _lock.ExitReadLock();
            _scratch.Add(scratch);
        }
    }

    /// <summary>Sizes the scratch's collectors for these options and prepares the query (index not empty, read lock held).</summary>
    private void BeginQuery(ReadOnlySpan<float> query, SearchOptions options, QueryScratch scratch)
    {
        (int k, int pool) = CandidateCounts(options);
        scratch.Reserve(pool, k, ListCount);
        PrepareQuery(query, scratch);
        float window = RerankModeFor(options) == Reranking.Auto ? AutoWindow(scratch, options.Confidence) : float.PositiveInfinity;
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
        long wanted = RerankModeFor(options) == Reranking.None ? (RefinesCandidates ? (long)RefinePool * k : k)
            : (long)Math.Ceiling(options.K * options.Oversampling);
        return (k, (int)Math.Clamp(wanted, k, Count));
    }

    private Reranking RerankModeFor(SearchOptions options) => _exact is null ? Reranking.None : options.Rerank;

    /// <summary>After the scan: sorts the candidates, re-ranks them as the options say and writes the hits.</summary>
    private int FinishQuery(ReadOnlySpan<float> query, SearchOptions options, QueryScratch scratch, Span<SearchHit> hits,
        out SearchStatistics statistics)
    {
        int k = CandidateCounts(options).K;
        int candidates = scratch.Candidates!.CopySortedTo(scratch.Sorted);
        if (_lists.Pooled is not null)
        {
            _lists.TranslatePoolRows(scratch.Sorted.AsSpan(0, candidates));
        }
        else if (Partitions.Length > 1)
        {
            _lists.TranslateVirtualIds(scratch.Sorted.AsSpan(0, candidates), scratch.ProbeBases(scratch.ProbedLists), scratch.ProbeOrder);
        }
        if (RefinesCandidates)
        {
            RefineCandidates(scratch, candidates);
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
        int found = RerankCandidates(query, scratch, RerankModeFor(options), k, candidates, options.Confidence, hits, out int reranked);
        statistics = new SearchStatistics(reranked, candidates);
        return found;
    }

    /// <summary>Throws the <see cref="ArgumentException"/> a search would throw for this query (wrong length, a
    /// non-finite coordinate): the guard of the methods that take a raw query, for callers using the index directly.</summary>
    public void ValidateQuery(ReadOnlySpan<float> query)
    {
        switch (FaultOf(query, out int coordinate))
        {
            case QueryFault.WrongLength:
                throw new ArgumentException($"query has {query.Length} coordinates; the index has dimension {Dimension}.", nameof(query));
            case QueryFault.NotFinite:
                throw new ArgumentException($"query coordinate {coordinate} is {query[coordinate]}; every coordinate must be finite.", nameof(query));
        }
    }

    /// <summary>
    /// Checks a query vector once, for the searches that take a <see cref="CheckedQuery"/> (<see cref="CheckedVector.With"/>
    /// adds the options). A bad query is reported, not thrown, so that the caller words the error for its own users
    /// (the coordinate is in <paramref name="coordinate"/> for <see cref="QueryFault.NotFinite"/>);
    /// <paramref name="vector"/> is valid only when <see cref="QueryFault.None"/> is returned.
    /// </summary>
    public QueryFault Check(ReadOnlyMemory<float> query, out CheckedVector vector, out int coordinate)
    {
        QueryFault fault = FaultOf(query.Span, out coordinate);
        vector = fault == QueryFault.None ? new CheckedVector(query, this) : default;
        return fault;
    }

    /// <summary>The search of <see cref="Search(ReadOnlySpan{float}, SearchOptions, RowMask?)"/> for a query this index
    /// has checked (<see cref="Check"/>): nothing is checked again.</summary>
    /// <exception cref="ArgumentException">The query was checked by another index (or is default).</exception>
    public SearchResult Search(in CheckedQuery query, RowMask? rows = null)
    {
        ThrowIfNotChecked(query);
        var hits = new SearchHit[query.Options.K];
        int found = SearchChecked(query.Vector.Span, query.Options, hits, out SearchStatistics statistics, rows);
        return new SearchResult(found == hits.Length ? hits : hits[..found], statistics.Reranked, statistics.Candidates);
    }

    private void ThrowIfNotChecked(in CheckedQuery query)
    {
        if (!ReferenceEquals(query.Checked.Index, this))
        {
            throw new ArgumentException("the query was not checked by this index; check it with VectorIndex.Check first.", nameof(query));
        }
    }

    private QueryFault FaultOf(ReadOnlySpan<float> query, out int coordinate)
    {
        coordinate = -1;
        if (query.Length != Dimension)
        {
            return QueryFault.WrongLength;
        }
        for (int j = 0; j < query.Length; j++)
        {
            if (!float.IsFinite(query[j]))
            {
                coordinate = j;
                return QueryFault.NotFinite;
            }
        }
        return QueryFault.None;
    }

    private QueryScratch RentScratch() =>
        _scratch.TryTake(out var scratch) ? scratch : new QueryScratch(Quantizer, _family);

    /// <summary>Rotates the query once and fills the per-query lookup tables.</summary>
    private void PrepareQuery(ReadOnlySpan<float> query, QueryScratch scratch)
    {
        query.CopyTo(scratch.Query);
        if (Options.Metric == Metric.Cosine)
        {
            Normalise(scratch.Query);
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
        if (_lists.Pooled is { } pooled)
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
        _lists.ListsToScan(scratch, ScansAllLists, options.ProbesFor(ListCount), Quantizer.Level);

    /// <summary>The per-row pre-filter terms for centred codes (their factors vary from row to row); empty otherwise,
    /// which keeps the one-bound scan for format 1, where it was measured to be as fast.</summary>
    private RowTerms PerRowTerms(CodePartition partition) => _centred ? partition.RowTerms : default;

    /// <summary>Every code list's centre term for this query, kept in the scratch (refinement and the auto bound read
    /// them), as the pooled scan's block shifts.</summary>
    private BlockShifts ListShiftsOf(QueryScratch scratch, CodeListBlocks pooled)
    {
        Span<double> shifts = scratch.Shifts.AsSpan(0, pooled.ListCount);
        if (_lists.Residual)
        {
            // CentreShift of every list in one pass over the centroids (the same doubles, bit for bit).
            Quantization.FixedOrderSums.DotRows(_lists.CentroidVectors, scratch.Query, shifts, Quantizer.Level);
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

    private IBlockScorer CachedScorer(int partition, QueryScratch scratch)
    {
        ref IBlockScorer? cached = ref scratch.Scorer(Partitions, partition);
        return cached ??= CreateScorer(Partitions[partition], scratch);
    }

    private IBlockScorer CreateScorer(CodePartition partition, QueryScratch scratch)
    {
        IBlockScorer? codes = _family.CodeScorer(partition.FastCodes, partition.GridCodes, scratch.Tables);
        return partition.Signs is null ? codes! : new QjlScorer(codes, _family.SignScorer(partition.Signs, scratch.Tables), new PartitionSignFactors(partition));
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

    /// <summary>
    /// The mask choosing the live rows of <paramref name="ids"/> (ids not in the index are skipped), for
    /// <see cref="Search(ReadOnlySpan{float}, SearchOptions, RowMask?)"/>: a caller that filters on its own data (an
    /// engine's payloads) selects the ids once per search and the scan tests one bit per row.
    /// </summary>
    public RowMask RowsOf(IEnumerable<ulong> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        _lock.EnterReadLock();
        try
        {
            var words = new ulong[(_rows + 63) / 64];
            foreach (ulong id in ids)
            {
                if (_rowOfId.TryGetValue(id, out int row))
                {
                    words[row >> 6] |= 1UL << (row & 63);
                }
            }
            return new RowMask(words, _rows);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// The ids of the live rows a search of <paramref name="query"/> scans when it scans only some of them (IVF with
    /// fewer probes than lists), so that a filtered search can check its filter on those rows only and pass the ones
    /// that pass as its <see cref="RowMask"/> (<see cref="RowsOf"/>): a filter costs as many checks as the probed lists
    /// hold, not the whole collection (GloVe 200k, nprobe 8, one point in ten passing: every point checked cost 5.3 ms
    /// per filtered search). False, with <paramref name="ids"/> empty, when the search scans every row. The ids go into
    /// the caller's list (cleared first), which it can keep for the next search: ~16,000 ids at 8 of 1,024 lists would
    /// otherwise be a large-object allocation per search. The lists are chosen as the search chooses them; if they change
    /// in between (a training finishing), rows that only the new lists hold are left out of that one search, never a
    /// row the filter rejects let in.
    /// </summary>
    /// <exception cref="ArgumentException">The query was checked by another index.</exception>
    public bool ProbedIds(in CheckedQuery query, List<ulong> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ids.Clear();
        ThrowIfNotChecked(query);
        QueryScratch scratch = RentScratch();
        _lock.EnterReadLock();
        try
        {
            if (Count == 0 || ScansAllLists || Partitions.Length == 1 || query.Options.ProbesFor(ListCount) >= ListCount)
            {
                return false;
            }
            scratch.Reserve(1, 1, ListCount);
            query.Vector.Span.CopyTo(scratch.Query);
            if (Options.Metric == Metric.Cosine)
            {
                Normalise(scratch.Query);
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
                        ids.Add(_ids[globalRows[row]]);
                    }
                }
            }
            return true;
        }
        finally
        {
            _lock.ExitReadLock();
            _scratch.Add(scratch);
        }
    }

    /// <summary>The score reported for a ranking score: L2 ranks by ‖q‖² − ‖q−x‖², so its distance is ‖q‖² minus
    /// that (in double, never negative); inner product and cosine report the ranking score itself.</summary>
    private float MetricScore(float rankingScore, QueryScratch scratch) =>
        Options.Metric == Metric.L2
            ? MathF.Max(0f, (float)(scratch.Estimator.QuerySquaredNorm - rankingScore))
            : rankingScore;
}

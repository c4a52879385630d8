using VectorDb.Index.Common;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

/// <summary>The index's search entry points: each checks what it is given, takes the read lock and runs the
/// <see cref="QueryPipeline"/>.</summary>
public sealed partial class VectorIndex
{
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

    /// <summary>The search of <see cref="Search(ReadOnlySpan{float}, SearchOptions, RowMask?)"/> for a query this index
    /// has checked (<see cref="Check"/>): nothing is checked again.</summary>
    /// <exception cref="ArgumentException">The query was checked by another index (or is default).</exception>
    public SearchResult Search(in CheckedQuery query, RowMask? rows = null)
    {
        QueryChecks.ThrowIfNotCheckedBy(query, this);
        var hits = new SearchHit[query.Options.K];
        int found = SearchChecked(query.Vector.Span, query.Options, hits, out SearchStatistics statistics, rows);
        return new SearchResult(found == hits.Length ? hits : hits[..found], statistics.Reranked, statistics.Candidates);
    }

    /// <summary>The search itself, for a checked query and options and room for k hits.</summary>
    private int SearchChecked(ReadOnlySpan<float> query, SearchOptions options, Span<SearchHit> hits, out SearchStatistics statistics,
        RowMask? rows)
    {
        using QueryPipeline.ScratchLease lease = _pipeline.Rent();
        using var held = _lock.Read();
        return _pipeline.Search(query, options, lease.Scratch, hits, out statistics, rows);
    }

    /// <summary>Throws the <see cref="ArgumentException"/> a search would throw for this query (wrong length, a
    /// non-finite coordinate): the guard of the methods that take a raw query, for callers using the index directly.</summary>
    public void ValidateQuery(ReadOnlySpan<float> query) => QueryChecks.ThrowIfBad(query, Dimension);

    /// <summary>
    /// Checks a query vector once, for the searches that take a <see cref="CheckedQuery"/> (<see cref="CheckedVector.With"/>
    /// adds the options). A bad query is reported, not thrown, so that the caller words the error for its own users
    /// (the coordinate is in <paramref name="coordinate"/> for <see cref="QueryFault.NotFinite"/>);
    /// <paramref name="vector"/> is valid only when <see cref="QueryFault.None"/> is returned.
    /// </summary>
    public QueryFault Check(ReadOnlyMemory<float> query, out CheckedVector vector, out int coordinate)
    {
        QueryFault fault = QueryChecks.FaultOf(query.Span, Dimension, out coordinate);
        vector = fault == QueryFault.None ? new CheckedVector(query, this) : default;
        return fault;
    }

    /// <summary>
    /// The mask choosing the live rows of <paramref name="ids"/> (ids not in the index are skipped), for
    /// <see cref="Search(ReadOnlySpan{float}, SearchOptions, RowMask?)"/>: a caller that filters on its own data (an
    /// engine's payloads) selects the ids once per search and the scan tests one bit per row.
    /// </summary>
    public RowMask RowsOf(IEnumerable<ulong> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var held = _lock.Read();
        return _table.MaskOf(ids);
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
        QueryChecks.ThrowIfNotCheckedBy(query, this);
        using QueryPipeline.ScratchLease lease = _pipeline.Rent();
        using var held = _lock.Read();
        return _pipeline.ProbedIds(query, lease.Scratch, ids);
    }

    /// <summary>Width of the batched scan: queries scanned together in one pass over the codes (at most; fewer where
    /// the SIMD level is narrower). Callers that group queries for <see cref="SearchBatch(ReadOnlySpan{CheckedQuery})"/>
    /// group this many.</summary>
    public static int BatchWidth => FastScanKernel.BatchQueries;

    /// <summary>
    /// Searches many queries: the results of query i are exactly those of
    /// <see cref="Search(ReadOnlySpan{float}, SearchOptions, RowMask?)"/> for that query (same ids, same
    /// scores). A flat index whose codes the fast scan reads (1, 2 or 4 bits) scans them once per four queries at
    /// 512 bits and once per two at 256, instead of once per query, which is what makes a batch faster per query
    /// (docs/scan.md); any other index or level searches the queries one by one.
    /// </summary>
    /// <param name="queries">The queries one after another (a multiple of <see cref="Dimension"/> floats).</param>
    /// <param name="options">Options for every query (<see cref="SearchOptions.Threads"/> &gt; 1 searches one by one).</param>
    /// <exception cref="ArgumentException">A wrong total length, a non-finite coordinate or invalid options; nothing
    /// is searched then.</exception>
    public SearchResult[] SearchBatch(ReadOnlySpan<float> queries, SearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return _pipeline.SearchBatch(queries, options, QueryChecks.CountOfBatch(queries, options, Dimension));
    }

    /// <summary>The batch search of <see cref="SearchBatch(ReadOnlySpan{float}, SearchOptions)"/> for queries this index
    /// has checked (<see cref="Check"/>) with the same options: nothing is checked again.</summary>
    /// <exception cref="ArgumentException">A query checked by another index, or queries with different options.</exception>
    public SearchResult[] SearchBatch(ReadOnlySpan<CheckedQuery> queries)
    {
        if (queries.IsEmpty)
        {
            return [];
        }
        float[] packed = QueryChecks.Pack(queries, this, out SearchOptions options);
        return _pipeline.SearchBatch(packed, options, queries.Length);
    }

    /// <summary>
    /// The same writing query i's hits, best first, to <paramref name="hits"/>[i·k .. i·k + found[i]) and its
    /// statistics to <paramref name="statistics"/>[i]. Allocates nothing once the index's scratch is warm.
    /// </summary>
    public void SearchBatch(ReadOnlySpan<float> queries, SearchOptions options, Span<SearchHit> hits, Span<int> found,
        Span<SearchStatistics> statistics)
    {
        ArgumentNullException.ThrowIfNull(options);
        int count = QueryChecks.CountOfBatch(queries, options, Dimension);
        if (hits.Length < count * options.K || found.Length < count || statistics.Length < count)
        {
            throw new ArgumentException(
                $"{count} queries need room for {count * options.K} hits, {count} counts and {count} statistics; got {hits.Length}, {found.Length} and {statistics.Length}.");
        }
        _pipeline.SearchGroups(queries, options, count, hits, found, statistics);
    }
}

using VectorDb.Engine;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb;

public sealed partial class VectorCollection
{
    /// <summary>A search request as the engine has checked it, once (<see cref="CheckSearch"/>): the query and options
    /// checked by the index (<see cref="CheckedQuery"/>), the filter compiled. Nothing below re-checks it.</summary>
    private sealed record CheckedSearch(SearchRequest Request, CheckedQuery Query, CompiledFilter? Filter);

    /// <summary>The best <see cref="SearchRequest.K"/> points for the query, best first.</summary>
    /// <exception cref="ArgumentException">Wrong dimension, NaN/infinite coordinate, k out of range, malformed filter,
    /// invalid oversampling/nprobe, or exact search on a collection without originals.</exception>
    public async Task<SearchResults> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Enter();
        try
        {
            var hits = SearchCore(CheckSearch(request), out int reranked);
            return new SearchResults(await AttachAsync(hits, request, cancellationToken).ConfigureAwait(false), reranked);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Several searches; the scans run in parallel (<see cref="DatabaseOptions.SearchBatchThreads"/>).
    /// Every request is validated before any runs.</summary>
    public async Task<IReadOnlyList<SearchResults>> SearchBatchAsync(IReadOnlyList<SearchRequest> requests,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        EngineLimits.CheckCount(requests.Count, Limits.MaxSearchBatch, "the search batch is empty; give at least one search.",
            "searches in one batch", "batch", nameof(requests));
        Enter();
        try
        {
            var searches = new CheckedSearch[requests.Count];
            for (int i = 0; i < requests.Count; i++)
            {
                searches[i] = CheckSearch(requests[i] ?? throw new ArgumentException($"search {i} of the batch is null.", nameof(requests)));
            }
            var hits = new SearchHit[requests.Count][];
            var reranked = new int[requests.Count];
            List<int[]> groups = SearchGroups(searches);
            Parallel.For(0, groups.Count,
                new ParallelOptions { MaxDegreeOfParallelism = _options.SearchBatchThreads, CancellationToken = cancellationToken },
                g => SearchGroup(searches, groups[g], hits, reranked));
            var results = new SearchResults[requests.Count];
            for (int i = 0; i < requests.Count; i++)
            {
                results[i] = new SearchResults(await AttachAsync(hits[i], requests[i], cancellationToken).ConfigureAwait(false), reranked[i]);
            }
            return results;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Checks a request once, before anything runs, in this order: the filter (compiled), the query's shape (by the
    /// index: length, finite coordinates, reported as a <see cref="QueryFault"/> and worded here for this collection),
    /// the engine's own rules (norm, k and its limit, exact needs originals, re-rank mode), then the index's options.
    /// Throws <see cref="ArgumentException"/>.
    /// </summary>
    private CheckedSearch CheckSearch(SearchRequest request)
    {
        CompiledFilter? filter = CompiledFilter.Compile(request.Filter, FindSlot);
        ReadOnlySpan<float> vector = request.Vector.Span;
        switch (_index.Check(request.Vector, out CheckedVector query, out int coordinate))
        {
            case QueryFault.WrongLength:
                throw new ArgumentException($"query has {vector.Length} coordinates; collection '{Name}' has dimension {Config.Dimension}.", nameof(request));
            case QueryFault.NotFinite:
                throw new ArgumentException($"query coordinate {coordinate} is {vector[coordinate]}; every coordinate must be finite.", nameof(request));
        }
        VectorMagnitude.Check(vector, Config.Metric, "the query");
        if (request.K < 1)
        {
            throw new ArgumentOutOfRangeException("limit", request.K, "k (limit) must be at least 1.");
        }
        if (request.K > Limits.MaxK)
        {
            throw new LimitExceededException($"k (limit) {request.K} exceeds the limit of {Limits.MaxK}; ask for fewer results.", "limit");
        }
        if (request.Exact && Config.Originals == OriginalsFormat.None)
        {
            throw new ArgumentException($"collection '{Name}' keeps no originals, so it cannot search exactly; drop 'exact'.", nameof(request));
        }
        if (!Enum.IsDefined(request.Rerank))
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Rerank, "unknown re-rank mode; use None, Fixed or Auto.");
        }
        return new CheckedSearch(request, query.With(IndexOptions(request)), filter);
    }

    /// <summary>Runs one checked search on the index; reports how many candidates were re-ranked exactly. A filter
    /// reaches the scan as a row mask: the live points passing it are selected here, once (among the rows of the lists
    /// an IVF search probes, <see cref="VectorIndex.ProbedIds"/>, else among all points), and the index skips every
    /// other row with a bit test (no engine code runs per scanned row).</summary>
    private SearchHit[] SearchCore(CheckedSearch search, out int reranked)
    {
        RowMask? rows = null;
        if (search.Filter is { } filter)
        {
            List<ulong> probed = t_probedIds ??= [];
            rows = _index.RowsOf(_index.ProbedIds(search.Query, probed) ? Matching(filter, probed) : Matching(filter));
            probed.Clear();
        }
        SearchResult result = _index.Search(search.Query, rows);
        reranked = result.Reranked;
        return AboveThreshold(result.Hits, search.Request);
    }

    /// <summary>This thread's list for <see cref="VectorIndex.ProbedIds"/>, kept across searches (its capacity is the
    /// reason: a new list of the probed ids would be a large-object allocation per filtered IVF search).</summary>
    [ThreadStatic]
    private static List<ulong>? t_probedIds;

    /// <summary>The slots among <paramref name="slots"/> of live points passing <paramref name="filter"/>.</summary>
    private IEnumerable<ulong> Matching(CompiledFilter filter, List<ulong> slots)
    {
        foreach (ulong slot in slots)
        {
            if (_points.TryGetValue(slot, out PayloadFields? fields) && filter.Matches(slot, fields))
            {
                yield return slot;
            }
        }
    }

    /// <summary>The slots of the live points passing <paramref name="filter"/>.</summary>
    private IEnumerable<ulong> Matching(CompiledFilter filter)
    {
        foreach (var (slot, fields) in _points)
        {
            if (filter.Matches(slot, fields))
            {
                yield return slot;
            }
        }
    }

    /// <summary>
    /// Splits a batch into units of work: requests without a filter or 'exact' that ask the index the same thing
    /// (k, re-rank, oversampling, nprobe) go in groups of the index's batch width, which the index scans together
    /// (<see cref="VectorIndex.SearchBatch(ReadOnlySpan{CheckedQuery})"/>: one pass over the codes per group, same
    /// results as one by one); every other request is a group of its own.
    /// </summary>
    private static List<int[]> SearchGroups(CheckedSearch[] searches)
    {
        int groupSize = VectorIndex.BatchWidth;
        var groups = new List<int[]>();
        var open = new Dictionary<SearchOptions, List<int>>();
        for (int i = 0; i < searches.Length; i++)
        {
            if (searches[i].Filter is not null || searches[i].Request.Exact)
            {
                groups.Add([i]);
                continue;
            }
            SearchOptions key = searches[i].Query.Options;
            if (!open.TryGetValue(key, out List<int>? members))
            {
                open[key] = members = [];
            }
            members.Add(i);
            if (members.Count == groupSize)
            {
                groups.Add([.. members]);
                members.Clear();
            }
        }
        groups.AddRange(open.Values.Where(members => members.Count > 0).Select(members => members.ToArray()));
        return groups;
    }

    /// <summary>Searches one unit of <see cref="SearchGroups"/>, writing each request's hits and re-rank count.</summary>
    private void SearchGroup(CheckedSearch[] searches, int[] group, SearchHit[][] hits, int[] reranked)
    {
        if (group.Length == 1)
        {
            hits[group[0]] = SearchCore(searches[group[0]], out reranked[group[0]]);
            return;
        }
        var queries = new CheckedQuery[group.Length];
        for (int i = 0; i < group.Length; i++)
        {
            queries[i] = searches[group[i]].Query;
        }
        SearchResult[] results = _index.SearchBatch(queries);
        for (int i = 0; i < group.Length; i++)
        {
            reranked[group[i]] = results[i].Reranked;
            hits[group[i]] = AboveThreshold(results[i].Hits, searches[group[i]].Request);
        }
    }

    /// <summary>The index's options for a request. Exact: every (filtered) point of every IVF list is re-scored with
    /// its original.</summary>
    private SearchOptions IndexOptions(SearchRequest request) => request.Exact
        ? new SearchOptions(request.K, RerankMode.Fixed, Oversampling: Math.Max(1, (double)_index.Count / request.K + 1), NProbe: int.MaxValue)
        : new SearchOptions(request.K, VocabularyMapping.ToCodec(request.Rerank), request.Oversampling, request.NProbe);

    /// <summary>The hits that pass the request's score threshold, if it has one.</summary>
    private SearchHit[] AboveThreshold(SearchHit[] hits, SearchRequest request)
    {
        if (request.ScoreThreshold is not { } threshold)
        {
            return hits;
        }
        bool smallerIsBetter = VocabularyMapping.ToCodec(Config.Metric).SmallerIsBetter();
        return [.. hits.Where(h => smallerIsBetter ? h.Score <= threshold : h.Score >= threshold)];
    }
}

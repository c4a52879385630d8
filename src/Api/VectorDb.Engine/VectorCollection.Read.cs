using System.Text.Json.Nodes;
using VectorDb.Engine;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb;

public sealed partial class VectorCollection
{
    /// <summary>Live points passing <paramref name="filter"/> (all live points when null).</summary>
    /// <exception cref="ArgumentException">A malformed filter.</exception>
    public long CountPoints(Filter? filter = null)
    {
        var compiled = CompiledFilter.Compile(filter, FindSlot);
        Enter();
        try
        {
            if (compiled is null)
            {
                return _index.Count;
            }
            long count = 0;
            foreach (var (id, fields) in _points)
            {
                if (compiled.Matches(id, fields))
                {
                    count++;
                }
            }
            return count;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Ids of live points passing <paramref name="filter"/>, ascending (<see cref="PointId"/> order: numbers,
    /// then UUIDs), from <paramref name="from"/> on (inclusive; null: from the first), after skipping
    /// <paramref name="skip"/>, at most <paramref name="limit"/>. A scroll: it selects the smallest matching ids with
    /// a bounded heap, so O(n log limit) per call.</summary>
    public IReadOnlyList<PointId> ListIds(Filter? filter = null, int skip = 0, int limit = int.MaxValue, PointId? from = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var compiled = CompiledFilter.Compile(filter, FindSlot);
        Enter();
        try
        {
            int wanted = (int)Math.Min((long)skip + limit, int.MaxValue);
            var largestFirst = Comparer<PointId>.Create((a, b) => b.CompareTo(a));
            var heap = new PriorityQueue<PointId, PointId>(largestFirst); // the smallest 'wanted' ids seen so far
            foreach (var (slot, fields) in _points)
            {
                if (compiled is not null && !compiled.Matches(slot, fields))
                {
                    continue;
                }
                PointId id = ExternalId(slot);
                if (from is { } start && id < start)
                {
                    continue;
                }
                if (heap.Count < wanted)
                {
                    heap.Enqueue(id, id);
                }
                else if (wanted > 0 && id < heap.Peek())
                {
                    heap.EnqueueDequeue(id, id);
                }
            }
            var ids = new PointId[heap.Count];
            for (int i = ids.Length - 1; i >= 0; i--)
            {
                ids[i] = heap.Dequeue();
            }
            return skip == 0 ? ids : ids[Math.Min(skip, ids.Length)..];
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Reads points by id, in the order asked.</summary>
    /// <exception cref="PointNotFoundException">Some ids do not exist (all missing ids are named).</exception>
    public async Task<IReadOnlyList<RetrievedPoint>> GetAsync(IReadOnlyList<PointId> ids, bool withPayload = true, bool withVector = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            throw new ArgumentException("the id list is empty; give at least one id.", nameof(ids));
        }
        if (ids.Count > Limits.MaxIdsPerCall)
        {
            throw new LimitExceededException($"{ids.Count} ids in one get exceed the limit of {Limits.MaxIdsPerCall}; split the call.", nameof(ids));
        }
        Enter();
        try
        {
            var slots = ids.Select(FindSlot).ToArray();
            var stored = await ReadStoredAsync([.. slots.Select(slot => slot ?? 0)], cancellationToken).ConfigureAwait(false);
            var missing = ids.Where((_, i) => slots[i] is null || stored[i] is null).ToList();
            if (missing.Count > 0)
            {
                throw new PointNotFoundException(Name, missing);
            }
            return [.. stored.Select((p, i) => new RetrievedPoint(ids[i], withPayload ? ParsePayload(p!.Payload) : null, withVector ? VectorOf(p!) : null))];
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>The best <see cref="SearchRequest.K"/> points for the query, best first.</summary>
    /// <exception cref="ArgumentException">Wrong dimension, NaN/infinite coordinate, k out of range, malformed filter,
    /// invalid oversampling/nprobe, or exact search on a collection without originals.</exception>
    public async Task<SearchResults> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Enter();
        try
        {
            var hits = SearchCore(request, CompiledFilter.Compile(request.Filter, FindSlot), out int reranked);
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
        if (requests.Count == 0)
        {
            throw new ArgumentException("the search batch is empty; give at least one search.", nameof(requests));
        }
        if (requests.Count > Limits.MaxSearchBatch)
        {
            throw new LimitExceededException($"{requests.Count} searches in one batch exceed the limit of {Limits.MaxSearchBatch}; split the batch.", nameof(requests));
        }
        Enter();
        try
        {
            var filters = new CompiledFilter?[requests.Count];
            for (int i = 0; i < requests.Count; i++)
            {
                var request = requests[i] ?? throw new ArgumentException($"search {i} of the batch is null.", nameof(requests));
                filters[i] = CompiledFilter.Compile(request.Filter, FindSlot);
                ValidateSearch(request);
            }
            var hits = new SearchHit[requests.Count][];
            var reranked = new int[requests.Count];
            List<int[]> groups = SearchGroups(requests, filters);
            Parallel.For(0, groups.Count,
                new ParallelOptions { MaxDegreeOfParallelism = _options.SearchBatchThreads, CancellationToken = cancellationToken },
                g => SearchGroup(requests, groups[g], filters, hits, reranked));
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

    /// <summary>Runs one search on the index; reports how many candidates were re-ranked exactly.</summary>
    internal SearchHit[] SearchCore(SearchRequest request, CompiledFilter? filter, out int reranked)
    {
        ValidateSearch(request);
        Func<ulong, bool>? predicate = filter is null
            ? null
            : id => _points.TryGetValue(id, out var fields) && filter.Matches(id, fields);
        SearchResult result;
        try
        {
            result = _index.Search(request.Vector.Span, IndexOptions(request), predicate);
        }
        catch (ArgumentException e)
        {
            throw NamedForCollection(e);
        }
        reranked = result.Reranked;
        return AboveThreshold(result.Hits, request);
    }

    /// <summary>
    /// Splits a batch into units of work: requests without a filter or 'exact' that ask the index the same thing
    /// (k, re-rank, oversampling, nprobe) go in groups of up to four, which the index scans together
    /// (<see cref="VectorIndex.SearchBatch(ReadOnlySpan{float}, SearchOptions)"/>: one pass over the codes per group,
    /// same results as one by one); every other request is a group of its own.
    /// </summary>
    private static List<int[]> SearchGroups(IReadOnlyList<SearchRequest> requests, CompiledFilter?[] filters)
    {
        const int groupSize = 4;
        var groups = new List<int[]>();
        var open = new Dictionary<(int, Reranking, double, int), List<int>>();
        for (int i = 0; i < requests.Count; i++)
        {
            SearchRequest request = requests[i];
            if (filters[i] is not null || request.Exact)
            {
                groups.Add([i]);
                continue;
            }
            var key = (request.K, request.Rerank, request.Oversampling, request.NProbe);
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
    private void SearchGroup(IReadOnlyList<SearchRequest> requests, int[] group, CompiledFilter?[] filters, SearchHit[][] hits,
        int[] reranked)
    {
        if (group.Length == 1)
        {
            hits[group[0]] = SearchCore(requests[group[0]], filters[group[0]], out reranked[group[0]]);
            return;
        }
        int dimension = Config.Dimension;
        var queries = new float[group.Length * dimension];
        for (int i = 0; i < group.Length; i++)
        {
            requests[group[i]].Vector.Span.CopyTo(queries.AsSpan(i * dimension)); // lengths checked by ValidateSearch
        }
        SearchResult[] results;
        try
        {
            results = _index.SearchBatch(queries, IndexOptions(requests[group[0]]));
        }
        catch (ArgumentException e)
        {
            throw NamedForCollection(e);
        }
        for (int i = 0; i < group.Length; i++)
        {
            reranked[group[i]] = results[i].Reranked;
            hits[group[i]] = AboveThreshold(results[i].Hits, requests[group[i]]);
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

    /// <summary>An index error reworded to name the collection instead of "the index".</summary>
    private ArgumentException NamedForCollection(ArgumentException e) =>
        new(e.Message.Replace("the index has", $"collection '{Name}' has", StringComparison.Ordinal), e.ParamName, e);

    private void ValidateSearch(SearchRequest request)
    {
        try
        {
            _index.ValidateQuery(request.Vector.Span);
        }
        catch (ArgumentException e)
        {
            throw NamedForCollection(e);
        }
        VectorMagnitude.Check(request.Vector.Span, Config.Metric, "the query");
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
    }

    /// <summary>Turns hits into points, reading payloads and vectors from storage when asked.</summary>
    private async Task<List<ScoredPoint>> AttachAsync(SearchHit[] hits, SearchRequest request, CancellationToken cancellationToken)
    {
        if (!request.WithPayload && !request.WithVector)
        {
            return [.. hits.Select(h => new ScoredPoint(ExternalId(h.Id), h.Score))];
        }
        var stored = await ReadStoredAsync([.. hits.Select(h => h.Id)], cancellationToken).ConfigureAwait(false);
        var points = new List<ScoredPoint>(hits.Length);
        for (int i = 0; i < hits.Length; i++)
        {
            if (stored[i] is not { } point)
            {
                continue; // deleted between the scan and the read
            }
            points.Add(new ScoredPoint(ExternalId(hits[i].Id), hits[i].Score,
                request.WithPayload ? ParsePayload(point.Payload) : null,
                request.WithVector ? VectorOf(point) : null));
        }
        return points;
    }

    private async Task<StoredPoint?[]> ReadStoredAsync(IReadOnlyList<ulong> ids, CancellationToken cancellationToken)
    {
        var reads = new Task<StoredPoint?>[ids.Count];
        for (int i = 0; i < reads.Length; i++)
        {
            reads[i] = _store.GetAsync(ids[i], cancellationToken);
        }
        return await Task.WhenAll(reads).ConfigureAwait(false);
    }

    private float[] VectorOf(StoredPoint point)
    {
        if (Config.Originals != OriginalsFormat.None)
        {
            return OriginalBytes.Decode(point.Original, Config.Originals);
        }
        var vector = new float[Config.Dimension];
        _index.Decode(point.Codes, vector);
        return vector;
    }

    private static JsonObject? ParsePayload(byte[] payload) =>
        payload.Length == 0 ? null : JsonNode.Parse(payload)!.AsObject();
}

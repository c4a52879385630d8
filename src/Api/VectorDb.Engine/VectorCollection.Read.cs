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
        EngineLimits.CheckCount(ids.Count, Limits.MaxIdsPerCall, "the id list is empty; give at least one id.", "ids in one get", "call",
            nameof(ids));
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
            var original = new float[Config.Dimension];
            OriginalVectorStore.WidenStored(point.Original, Config.Originals, original);
            return original;
        }
        var vector = new float[Config.Dimension];
        _index.Decode(point.Codes, vector);
        return vector;
    }

    private static JsonObject? ParsePayload(byte[] payload) =>
        payload.Length == 0 ? null : JsonNode.Parse(payload)!.AsObject();
}

namespace VectorDb.Storage;

/// <summary>Where the current version of a point lives. Addresses are log addresses; a blob address of 0 means
/// the point has no blob (no original, no payload).</summary>
internal readonly record struct PointLocation(
    long CodesAddress, int CodesLength, long BlobAddress, int BlobLength, uint BlobCrc, string? Key)
{
    public bool HasBlob => BlobAddress != 0;
}

/// <summary>
/// In-memory map from point id to the log location of its current version (<see cref="PointLocation"/>), plus the string-key map and live-byte
/// counters that drive compaction. Not thread-safe: the collection guards it with its location lock, and that lock
/// also orders codes-log appends, so the map always equals a replay of the codes log.
/// </summary>
internal sealed class PointLocationMap
{
    private readonly Dictionary<ulong, PointLocation> _points = [];
    private readonly Dictionary<string, ulong> _keys = new(StringComparer.Ordinal);

    // Keys promised to batches that are being appended in pieces (the codes log filled mid-batch and the lock was
    // released): key -> (point id the batch gives it to, number of such batches in flight). A reserved key is
    // free only for that id, so no other writer can take it while the batch waits; see StoredCollection.AppendCodes.
    private readonly Dictionary<string, (ulong Id, int Batches)> _reservedKeys = new(StringComparer.Ordinal);

    public int Count => _points.Count;

    /// <summary>Log bytes taken by current codes entries (entry plus FASTER's 4-byte header, 4-byte aligned).</summary>
    public long CodesLiveBytes { get; private set; }

    /// <summary>Log bytes taken by current blob entries (same accounting).</summary>
    public long BlobLiveBytes { get; private set; }

    public bool TryGet(ulong id, out PointLocation location) => _points.TryGetValue(id, out location);

    public bool TryResolveKey(string key, out ulong id) => _keys.TryGetValue(key, out id);

    /// <summary>True when <paramref name="key"/> may be given to <paramref name="id"/>: neither owned nor reserved
    /// by another point. Otherwise <paramref name="holder"/> is that point and <paramref name="reserved"/> says
    /// whether it is only reserved (by a batch still being appended).</summary>
    public bool KeyIsFreeFor(string key, ulong id, out ulong holder, out bool reserved)
    {
        reserved = false;
        if (_keys.TryGetValue(key, out holder) && holder != id)
            return false;
        if (_reservedKeys.TryGetValue(key, out var reservation) && reservation.Id != id)
        {
            holder = reservation.Id;
            reserved = true;
            return false;
        }
        holder = id;
        return true;
    }

    /// <summary>Keeps <paramref name="key"/> free only for <paramref name="id"/> until <see cref="ReleaseKey"/>.
    /// The key must be free for that id (<see cref="KeyIsFreeFor"/>).</summary>
    public void ReserveKey(string key, ulong id)
    {
        _reservedKeys.TryGetValue(key, out var reservation);
        _reservedKeys[key] = (id, reservation.Batches + 1);
    }

    /// <summary>Drops one reservation made by <see cref="ReserveKey"/>.</summary>
    public void ReleaseKey(string key)
    {
        var reservation = _reservedKeys[key];
        if (reservation.Batches == 1)
            _reservedKeys.Remove(key);
        else
            _reservedKeys[key] = reservation with { Batches = reservation.Batches - 1 };
    }

    public void Set(ulong id, PointLocation location)
    {
        if (_points.TryGetValue(id, out var old))
            Forget(old);
        _points[id] = location;
        CodesLiveBytes += LogBytes(location.CodesLength);
        BlobLiveBytes += LogBytes(location.BlobLength);
        if (location.Key is not null)
            _keys[location.Key] = id;
    }

    public bool Remove(ulong id)
    {
        if (!_points.Remove(id, out var old))
            return false;
        Forget(old);
        return true;
    }

    /// <summary>Writes the blob address, id and blob length of every point whose blob lies below
    /// <paramref name="until"/>, in no particular order; returns how many. The spans hold at least <see cref="Count"/>.</summary>
    public int CopyBlobLocations(long until, Span<long> addresses, Span<(ulong Id, int Length)> blobs)
    {
        int n = 0;
        foreach (var (id, location) in _points)
        {
            if (location.HasBlob && location.BlobAddress < until)
            {
                addresses[n] = location.BlobAddress;
                blobs[n++] = (id, location.BlobLength);
            }
        }
        return n;
    }

    /// <summary>Snapshot of all entries (for compaction checks); O(n) copy.</summary>
    public KeyValuePair<ulong, PointLocation>[] Snapshot() => [.. _points];

    private static long LogBytes(int entryLength) => entryLength == 0 ? 0 : 4 + ((entryLength + 3) & ~3);

    private void Forget(PointLocation old)
    {
        CodesLiveBytes -= LogBytes(old.CodesLength);
        BlobLiveBytes -= LogBytes(old.BlobLength);
        if (old.Key is not null)
            _keys.Remove(old.Key);
    }
}

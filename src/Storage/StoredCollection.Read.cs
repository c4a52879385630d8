using System.Text;
using VectorDb.Storage.Records;

namespace VectorDb.Storage;

public sealed partial class StoredCollection
{
    // A lookup can race with compaction moving the point; the new location is then retried.
    private const int ReadAttempts = 8;

    /// <summary>Resolves a string/UUID key to its point id.</summary>
    public bool TryResolveKey(string key, out ulong id)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_locationLock) return _locations.TryResolveKey(key, out id);
    }

    /// <summary>True when <paramref name="id"/> is live.</summary>
    public bool Contains(ulong id)
    {
        lock (_locationLock) return _locations.TryGet(id, out _);
    }

    /// <summary>Reads a point (codes, original, payload, key); null if absent. Reading a point written with
    /// <c>wait: false</c> that is not yet committed first waits for the next commit round. Damaged bytes raise
    /// <see cref="StorageCorruptionException"/>; a wrong point is never returned.</summary>
    public async Task<StoredPoint?> GetAsync(ulong id, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        for (int attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PointLocation location;
            lock (_locationLock)
            {
                if (!_locations.TryGet(id, out location))
                    return null;
                location = ReadableLocation(id, location);
            }
            await EnsureCommittedAsync(location, cancellationToken).ConfigureAwait(false);
            var codesTask = _codes.ReadAsync(location.CodesAddress, location.CodesLength);
            var blobTask = location.HasBlob ? _blobs.ReadAsync(location.BlobAddress, location.BlobLength) : default;
            var codesBytes = await codesTask.ConfigureAwait(false);
            var blobBytes = location.HasBlob ? await blobTask.ConfigureAwait(false) : null;
            if (codesBytes is null || (location.HasBlob && blobBytes is null))
            {
                if (attempt < ReadAttempts && MovedSince(id, location))
                    continue;
                var (log, address) = codesBytes is null ? (_codes, location.CodesAddress) : (_blobs, location.BlobAddress);
                var (file, offset) = log.Locate(address);
                throw new StorageCorruptionException(file, offset, $"the entry of point {id} could not be read");
            }
            return Decode(id, location, codesBytes, blobBytes);
        }
    }

    /// <summary>
    /// Reads the originals of many points at once for re-ranking: all reads are issued concurrently (in-memory pages
    /// and the OS page cache answer most; the rest go to disk in parallel). Returns one array per id, null where
    /// the id is absent or the collection keeps no originals.
    /// </summary>
    public async Task<byte[]?[]> ReadOriginalsAsync(ReadOnlyMemory<ulong> ids, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var result = new byte[]?[ids.Length];
        if (Manifest.OriginalFormat == OriginalsFormat.None)
            return result;
        var locations = new PointLocation?[ids.Length];
        lock (_locationLock)
        {
            var span = ids.Span;
            for (int i = 0; i < span.Length; i++)
                locations[i] = _locations.TryGet(span[i], out var location) && location.HasBlob ? ReadableLocation(span[i], location) : null;
        }
        var reads = new Task<byte[]?>[ids.Length];
        for (int i = 0; i < reads.Length; i++)
        {
            if (locations[i] is not { } location)
                continue;
            await EnsureCommittedAsync(location, cancellationToken).ConfigureAwait(false);
            reads[i] = _blobs.ReadAsync(location.BlobAddress, location.BlobLength).AsTask();
        }
        for (int i = 0; i < reads.Length; i++)
        {
            if (reads[i] is null)
                continue;
            var bytes = await reads[i].ConfigureAwait(false);
            ulong id = ids.Span[i];
            if (bytes is not null && BlobEntry.TryVerify(bytes, id, locations[i]!.Value.BlobCrc, out var blob))
            {
                result[i] = blob.Original.ToArray();
                continue;
            }
            // Moved by compaction (or damaged): fall back to the single-point path, which retries or reports.
            result[i] = (await GetAsync(id, cancellationToken).ConfigureAwait(false))?.Original;
        }
        return result;
    }

    /// <summary>
    /// Visits every live point's id, key and codes, in codes-log order, reading only the codes log (sequentially).
    /// This is how the engine rebuilds its in-memory scan structures after open. Commits pending writes first;
    /// points written concurrently with the enumeration may or may not be visited.
    /// </summary>
    public async Task ForEachLiveAsync(LivePointVisitor visitor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        ThrowIfDisposed();
        await _committer.WaitForDurableAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _codes.Scan(_codes.BeginAddress, _codes.CommittedUntilAddress, new LiveVisitor(this, visitor));
    }

    private sealed class LiveVisitor(StoredCollection collection, LivePointVisitor visitor) : ILogEntryVisitor
    {
        public bool Visit(ReadOnlySpan<byte> entry, long address, long nextAddress)
        {
            if (CodesEntry.TryParse(entry, out var parsed) != ParseStatus.Ok)
            {
                var (file, offset) = collection._codes.Locate(address);
                throw new StorageCorruptionException(file, offset, "codes entry failed verification");
            }
            if (parsed.Kind != EntryKind.Upsert)
                return true;
            string? key;
            lock (collection._locationLock)
            {
                if (!collection._locations.TryGet(parsed.PointId, out var location) || location.CodesAddress != address)
                    return true;
                key = location.Key;
            }
            visitor(parsed.PointId, key, parsed.Codes);
            return true;
        }
    }

    private async ValueTask EnsureCommittedAsync(PointLocation location, CancellationToken cancellationToken)
    {
        // FASTER reads only committed entries; a buffered write is made readable by the next commit round.
        if (location.CodesAddress >= _codes.CommittedUntilAddress ||
            (location.HasBlob && location.BlobAddress >= _blobs.CommittedUntilAddress))
            await _committer.WaitForDurableAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool MovedSince(ulong id, PointLocation seen)
    {
        lock (_locationLock)
            return !_locations.TryGet(id, out var now) || now != seen;
    }

    private StoredPoint Decode(ulong id, PointLocation location, byte[] codesBytes, byte[]? blobBytes)
    {
        var status = CodesEntry.TryParse(codesBytes, out var codes);
        if (status != ParseStatus.Ok || codes.Kind != EntryKind.Upsert || codes.PointId != id ||
            codes.BlobAddress != location.BlobAddress || codes.BlobCrc != location.BlobCrc)
        {
            var (file, offset) = _codes.Locate(location.CodesAddress);
            throw new StorageCorruptionException(file, offset,
                $"the codes entry of point {id} failed verification ({status}, id {codes.PointId})");
        }
        byte[] original = [], payload = [];
        if (location.HasBlob)
        {
            if (!BlobEntry.TryVerify(blobBytes, id, location.BlobCrc, out var blob))
            {
                var (file, offset) = _blobs.Locate(location.BlobAddress);
                throw new StorageCorruptionException(file, offset, $"the blob entry of point {id} failed verification");
            }
            original = blob.Original.ToArray();
            payload = blob.Payload.ToArray();
        }
        string? key = codes.KeyUtf8.IsEmpty ? null : Encoding.UTF8.GetString(codes.KeyUtf8);
        return new StoredPoint(id, key, codes.Codes.ToArray(), original, payload);
    }
}

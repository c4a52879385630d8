using System.Buffers;
using System.Text;
using VectorDb.Storage.Records;

namespace VectorDb.Storage;

public sealed partial class StoredCollection
{
    /// <summary>
    /// Inserts or overwrites points by id. With <paramref name="wait"/> the task completes once the batch is on disk
    /// (group commit); without, once it is appended in memory (durable within
    /// <see cref="StorageOptions.BufferedCommitInterval"/>). The batch is validated as a whole first: on
    /// <see cref="ArgumentException"/> nothing visible changes. Points of one batch become visible in order; a batch
    /// is not atomic across a crash (each point is either fully present or absent). Its keys are all-or-nothing
    /// with respect to concurrent writers: a key conflict refuses the whole batch before any point is visible, and
    /// once the first point is visible the batch's keys are held for it until it completes.
    /// </summary>
    public async Task UpsertAsync(ReadOnlyMemory<PointWrite> points, bool wait = true, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        var keys = ValidateBatch(points.Span);
        // Disk space for the whole batch first: on a full disk it is refused here, before anything is appended.
        var (blobBytes, codesBytes) = SpaceBounds(points.Span, keys);
        ReserveSpace(blobBytes, codesBytes);
        try
        {
            await AppendUpsertsAsync(points, keys).ConfigureAwait(false);
        }
        finally
        {
            _blobs.ReleaseSpace(blobBytes);
            _codes.ReleaseSpace(codesBytes);
        }
        CrashPoint.Reach(_options, CrashPoint.UpsertAppended);
        if (wait)
        {
            await _committer.WaitForDurableAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _committer.MarkDirty();
            // A buffered upsert usually completes without ever waiting. Callers that loop on it would then keep
            // their thread-pool threads forever, starving the commit loop and the flush continuations that free
            // log memory (4 such writers on 2 cores ran at ~10k points/s instead of ~40k+). Yielding once per
            // batch (a few µs) lets those run.
            await Task.Yield();
        }
    }

    /// <summary>Deletes points by id (missing ids are ignored); returns how many existed. Durability as for
    /// <see cref="UpsertAsync"/>.</summary>
    public async Task<int> DeleteAsync(ReadOnlyMemory<ulong> ids, bool wait = true, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        int deleted = 0;
        Span<byte> entry = stackalloc byte[CodesEntry.Size(0, 0)];
        long space = ids.Length * _codes.SpaceBound(entry.Length);
        _codes.ReserveSpace(space); // a full disk refuses the delete here, before any entry is appended
        try
        {
            lock (_locationLock)
            {
                foreach (ulong id in ids.Span)
                {
                    if (!_locations.TryGet(id, out _))
                        continue;
                    new CodesEntry { Kind = EntryKind.Delete, Sequence = ++_lastSequence, PointId = id }.WriteTo(entry);
                    _codes.Append(entry);
                    _locations.Remove(id);
                    deleted++;
                }
            }
        }
        finally
        {
            _codes.ReleaseSpace(space);
        }
        if (deleted > 0)
        {
            CrashPoint.Reach(_options, CrashPoint.DeleteAppended);
            if (wait)
                await _committer.WaitForDurableAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            else
                _committer.MarkDirty();
        }
        return deleted;
    }

    /// <summary>Disk space to reserve in each log for a batch (see <see cref="IAppendLog.SpaceBound"/>).</summary>
    private (long Blobs, long Codes) SpaceBounds(ReadOnlySpan<PointWrite> points, byte[]?[] keys)
    {
        long blobs = 0, codes = 0;
        for (int i = 0; i < points.Length; i++)
        {
            ref readonly var p = ref points[i];
            int key = keys[i]?.Length ?? 0;
            codes += _codes.SpaceBound(CodesEntry.Size(p.Codes.Length, key));
            if (!p.Original.IsEmpty || !p.Payload.IsEmpty)
                blobs += _blobs.SpaceBound(BlobEntry.Size(p.Codes.Length, p.Original.Length, p.Payload.Length, key));
        }
        return (blobs, codes);
    }

    /// <summary>Reserves disk space in both logs, or neither (<see cref="DiskFullException"/>).</summary>
    private void ReserveSpace(long blobBytes, long codesBytes)
    {
        _blobs.ReserveSpace(blobBytes);
        try
        {
            _codes.ReserveSpace(codesBytes);
        }
        catch
        {
            _blobs.ReleaseSpace(blobBytes);
            throw;
        }
    }

    /// <summary>Checks sizes and keys of every point before anything is written; returns UTF-8 keys (null entries
    /// for points without a key).</summary>
    private byte[]?[] ValidateBatch(ReadOnlySpan<PointWrite> points)
    {
        var keys = new byte[]?[points.Length];
        HashSet<string>? batchKeys = null;
        for (int i = 0; i < points.Length; i++)
        {
            ref readonly var p = ref points[i];
            if (p.Codes.Length != Manifest.CodeBytesPerVector)
                throw new ArgumentException(
                    $"Point {p.Id} (batch index {i}) has {p.Codes.Length} code bytes; collection '{Name}' stores exactly {Manifest.CodeBytesPerVector}.",
                    nameof(points));
            if (p.Original.Length != Manifest.OriginalBytesPerVector)
                throw new ArgumentException(
                    $"Point {p.Id} (batch index {i}) has {p.Original.Length} original bytes; collection '{Name}' keeps " +
                    $"{Manifest.OriginalFormat} originals of exactly {Manifest.OriginalBytesPerVector} bytes.",
                    nameof(points));
            if (p.Payload.Length > Manifest.MaxPayloadBytes)
                throw new ArgumentException(
                    $"Point {p.Id} (batch index {i}) has a {p.Payload.Length}-byte payload; the limit is {Manifest.MaxPayloadBytes}.",
                    nameof(points));
            if (p.Key is null)
                continue;
            if (p.Key.Length == 0)
                throw new ArgumentException($"Point {p.Id} (batch index {i}) has an empty key; use null for no key.", nameof(points));
            var utf8 = Encoding.UTF8.GetBytes(p.Key);
            if (utf8.Length > _options.MaxKeyBytes)
                throw new ArgumentException(
                    $"Point {p.Id} (batch index {i}) has a {utf8.Length}-byte key; the limit is {_options.MaxKeyBytes}.",
                    nameof(points));
            batchKeys ??= new HashSet<string>(StringComparer.Ordinal);
            if (!batchKeys.Add(p.Key))
                throw new ArgumentException($"Key '{p.Key}' appears twice in one batch.", nameof(points));
            keys[i] = utf8;
        }
        return keys;
    }

    private async ValueTask AppendUpsertsAsync(ReadOnlyMemory<PointWrite> batch, byte[]?[] keys)
    {
        int n = batch.Length;
        var blobAddress = ArrayPool<long>.Shared.Rent(n);
        var blobLength = ArrayPool<int>.Shared.Rent(n);
        var blobCrc = ArrayPool<uint>.Shared.Rent(n);
        var scratch = ArrayPool<byte>.Shared.Rent(Math.Max(_blobs.MaxEntryBytes, _codes.MaxEntryBytes));
        try
        {
            // Blobs first and outside the lock: they are invisible until a codes entry points at them, and the
            // commit round captures the blob tail no earlier than the codes tail (both under the lock). When the
            // in-memory part of the blob log is full, writers wait asynchronously for flushes rather than spin.
            for (int i = 0; i < n; i++)
            {
                var p = batch.Span[i];
                if (p.Original.IsEmpty && p.Payload.IsEmpty)
                {
                    blobAddress[i] = 0;
                    blobLength[i] = 0;
                    blobCrc[i] = 0;
                    continue;
                }
                var blob = new BlobEntry
                {
                    PointId = p.Id,
                    Codes = p.Codes.Span,
                    Original = p.Original.Span,
                    Payload = p.Payload.Span,
                    KeyUtf8 = keys[i],
                };
                blobCrc[i] = blob.WriteTo(scratch, out int size);
                blobLength[i] = size;
                blobAddress[i] = await _blobs.AppendAsync(scratch.AsMemory(0, size)).ConfigureAwait(false);
            }
            // Codes entries go in under the lock. If the codes log's memory is full, the lock is released and the
            // writer waits (asynchronously) for a commit round, which flushes the log, instead of spinning while
            // holding the lock.
            int done = 0, reservedFrom = -1;
            try
            {
                while (!AppendCodes(batch.Span, keys, blobAddress, blobLength, blobCrc, scratch, ref done, ref reservedFrom))
                    await _committer.WaitForDurableAsync().ConfigureAwait(false);
            }
            finally
            {
                if (reservedFrom >= 0)
                    ReleaseKeys(batch.Span[reservedFrom..]);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
            ArrayPool<uint>.Shared.Return(blobCrc);
            ArrayPool<int>.Shared.Return(blobLength);
            ArrayPool<long>.Shared.Return(blobAddress);
        }
    }

    /// <summary>
    /// Appends codes entries from <paramref name="done"/> on; false when the codes log is full. The batch's keys are
    /// checked at the first call only, under the same lock as the appends: a conflict refuses the whole batch before
    /// anything is visible. When the log fills mid-batch, the keys of the points not yet appended (from
    /// <paramref name="reservedFrom"/> on) are reserved before the lock is released, so no concurrent writer can
    /// take them while this batch waits: with respect to its keys the batch is all-or-nothing, and a conflicting
    /// writer either came first (this batch is refused) or comes after it (that writer is refused). The caller
    /// releases the reservation when the batch ends (<see cref="ReleaseKeys"/>).
    /// </summary>
    private bool AppendCodes(ReadOnlySpan<PointWrite> points, byte[]?[] keys, long[] blobAddress, int[] blobLength,
        uint[] blobCrc, byte[] scratch, ref int done, ref int reservedFrom)
    {
        int n = points.Length;
        lock (_locationLock)
        {
            if (reservedFrom < 0)
                ThrowOnKeyConflict(points);
            for (; done < n; done++)
            {
                int i = done;
                ref readonly var p = ref points[i];
                var entry = new CodesEntry
                {
                    Kind = EntryKind.Upsert,
                    Sequence = ++_lastSequence,
                    PointId = p.Id,
                    BlobAddress = blobAddress[i],
                    BlobLength = blobLength[i],
                    BlobCrc = blobCrc[i],
                    Codes = p.Codes.Span,
                    KeyUtf8 = keys[i],
                };
                int size = entry.WriteTo(scratch);
                if (!_codes.TryAppend(scratch.AsSpan(0, size), out long address))
                {
                    _lastSequence--; // not appended: the sequence stays consecutive
                    if (reservedFrom < 0)
                    {
                        reservedFrom = done;
                        foreach (ref readonly var pending in points[done..])
                        {
                            if (pending.Key is { } key)
                                _locations.ReserveKey(key, pending.Id);
                        }
                    }
                    return false;
                }
                _locations.Set(p.Id, new PointLocation(address, size, blobAddress[i], blobLength[i], blobCrc[i], p.Key));
            }
        }
        return true;
    }

    /// <summary>Refuses the batch if any of its keys is owned or reserved by another point (caller holds the lock).</summary>
    private void ThrowOnKeyConflict(ReadOnlySpan<PointWrite> points)
    {
        foreach (ref readonly var p in points)
        {
            if (p.Key is not { } key || _locations.KeyIsFreeFor(key, p.Id, out ulong holder, out bool reserved))
                continue;
            throw new ArgumentException(reserved
                    ? $"Key '{key}' is being written for point {holder} by a concurrent batch; use another key for point {p.Id} or retry after that batch."
                    : $"Key '{key}' already belongs to point {holder}; delete that point or use another key for point {p.Id}.",
                nameof(points));
        }
    }

    /// <summary>Releases the key reservations <see cref="AppendCodes"/> made for <paramref name="points"/>.</summary>
    private void ReleaseKeys(ReadOnlySpan<PointWrite> points)
    {
        lock (_locationLock)
        {
            foreach (ref readonly var p in points)
            {
                if (p.Key is { } key)
                    _locations.ReleaseKey(key);
            }
        }
    }
}

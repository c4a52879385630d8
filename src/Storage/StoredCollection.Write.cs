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
    /// is not atomic across a crash (each point is either fully present or absent).
    /// </summary>
    public async Task UpsertAsync(ReadOnlyMemory<PointWrite> points, bool wait = true, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        var keys = ValidateBatch(points.Span);
        await AppendUpsertsAsync(points, keys).ConfigureAwait(false);
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
        lock (_indexLock)
        {
            foreach (ulong id in ids.Span)
            {
                if (!_index.TryGet(id, out _))
                    continue;
                new CodesEntry { Kind = EntryKind.Delete, Sequence = ++_lastSequence, PointId = id }.WriteTo(entry);
                _codes.Append(entry);
                _index.Remove(id);
                deleted++;
            }
        }
        if (deleted > 0)
        {
            if (wait)
                await _committer.WaitForDurableAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            else
                _committer.MarkDirty();
        }
        return deleted;
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
            int done = 0;
            while (!AppendCodes(batch.Span, keys, blobAddress, blobLength, blobCrc, scratch, ref done))
                await _committer.WaitForDurableAsync().ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
            ArrayPool<uint>.Shared.Return(blobCrc);
            ArrayPool<int>.Shared.Return(blobLength);
            ArrayPool<long>.Shared.Return(blobAddress);
        }
    }

    /// <summary>Appends codes entries from <paramref name="done"/> on; false when the codes log is full. Keys are
    /// (re)checked each time the lock is taken: before the first entry this rejects the whole batch; on a later
    /// call a conflict can only come from a concurrent writer that took the key meanwhile.</summary>
    private bool AppendCodes(ReadOnlySpan<PointWrite> points, byte[]?[] keys, long[] blobAddress, int[] blobLength,
        uint[] blobCrc, byte[] scratch, ref int done)
    {
        int n = points.Length;
        lock (_indexLock)
        {
            for (int i = done; i < n; i++)
            {
                if (points[i].Key is { } key && !_index.KeyIsFreeFor(key, points[i].Id))
                {
                    _index.TryResolveKey(key, out ulong owner);
                    throw new ArgumentException(
                        $"Key '{key}' already belongs to point {owner}; delete that point or use another key for point {points[i].Id}.",
                        nameof(points));
                }
            }
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
                    return false;
                }
                _index.Set(p.Id, new PointLocation(address, size, blobAddress[i], blobLength[i], blobCrc[i], p.Key));
            }
        }
        return true;
    }
}

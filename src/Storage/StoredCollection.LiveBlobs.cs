using System.Buffers;
using VectorDb.Storage.Records;

namespace VectorDb.Storage;

/// <summary>Receives one live point's blob during <see cref="StoredCollection.ForEachLiveBlobAsync"/>: its original
/// (empty when the collection keeps none) and payload (possibly empty). The spans point into a reused read buffer
/// and are valid only during the call; copy what must be kept.</summary>
public delegate void LiveBlobVisitor(ulong id, ReadOnlySpan<byte> original, ReadOnlySpan<byte> payload);

public sealed partial class StoredCollection
{
    /// <summary>Largest positioned read of the blob pass, in bytes (raised to one maximal entry when entries are
    /// larger). 1 MiB keeps the syscall count low (~300 per 300 MB) with a small, reused buffer.</summary>
    private const int LiveBlobReadBytes = 1 << 20;

    /// <summary>Garbage (superseded or deleted entries) of at least this many bytes between two live entries is
    /// skipped by starting a new read; shorter gaps are read through, which is cheaper than another syscall.</summary>
    private const int LiveBlobSkipBytes = 64 << 10;

    private long _liveBlobReadFallbacks;

    /// <summary>Live blobs that <see cref="ForEachLiveBlobAsync"/> could not take from its sequential reads (damaged,
    /// or unreadable) and read through <see cref="GetAsync"/> instead. For tests and diagnostics.</summary>
    internal long LiveBlobReadFallbacks => Interlocked.Read(ref _liveBlobReadFallbacks);

    /// <summary>
    /// Visits the original and payload of every live point that has a blob entry (an original or a payload), reading
    /// the blob log's committed segment files sequentially, in ascending address order, in reads of up to 1 MiB that
    /// cover only live entries (long runs of garbage are skipped). Points without a blob are not visited. This is how
    /// the engine restores originals and payload fields after open, after <see cref="ForEachLiveAsync"/> gave it the
    /// codes. Commits pending writes first.
    /// </summary>
    /// <remarks>
    /// <para>Only the current version of each point is delivered, each exactly once, and every entry is verified as
    /// <see cref="GetAsync"/> verifies it (framing length, CRC-32C, point id, the CRC recorded at write time:
    /// <c>BlobEntry.TryVerify</c>). An entry that fails is read again through <see cref="GetAsync"/> after the
    /// sequential part, so a damaged blob is reported exactly as a get of that point reports it: the pass throws
    /// <see cref="StorageCorruptionException"/> naming the point, the file and the offset, after every intact
    /// point has been visited.</para>
    /// <para>Order: blob-log address order (deterministic for a given log), then the re-read entries, if any.</para>
    /// <para>Memory: one read buffer (1 MiB, pooled) plus 24 bytes per live point for the sorted list of live blob
    /// locations (pooled); nothing is allocated per point.</para>
    /// <para>Concurrency: compaction waits until the pass ends (it would move entries under it). The list of
    /// locations is taken under the location lock (a few ms per million points, blocking writers meanwhile). Points
    /// written or deleted concurrently may or may not be visited; a visited point is delivered in the version that
    /// was current when it was visited.</para>
    /// </remarks>
    /// <exception cref="StorageCorruptionException">A live point's blob entry is damaged.</exception>
    public async Task ForEachLiveBlobAsync(LiveBlobVisitor visitor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        ThrowIfDisposed();
        await _compactionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _committer.WaitForDurableAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            var (addresses, blobs, count) = RentLiveBlobLocations();
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(LiveBlobReadBytes, _blobs.FramedLength(_blobs.MaxEntryBytes)));
            try
            {
                addresses.AsSpan(0, count).Sort(blobs.AsSpan(0, count));
                var failed = new List<ulong>();
                ReadLiveBlobs(addresses.AsSpan(0, count), blobs.AsSpan(0, count), buffer, visitor, failed, cancellationToken);
                foreach (ulong id in failed)
                {
                    Interlocked.Increment(ref _liveBlobReadFallbacks);
                    // Throws StorageCorruptionException for a damaged entry; null if the point was deleted meanwhile.
                    if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is { } point)
                        visitor(id, point.Original, point.Payload);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                ArrayPool<(ulong, int)>.Shared.Return(blobs);
                ArrayPool<long>.Shared.Return(addresses);
            }
        }
        finally
        {
            _compactionGate.Release();
        }
    }

    /// <summary>The locations of all live, committed blob entries (unsorted) in pooled arrays: address, then id and
    /// entry length. The arrays are rented outside the location lock (retrying if writers added points meanwhile).</summary>
    private (long[] Addresses, (ulong Id, int Length)[] Blobs, int Count) RentLiveBlobLocations()
    {
        while (true)
        {
            int capacity = (int)Count + 64;
            var addresses = ArrayPool<long>.Shared.Rent(capacity);
            var blobs = ArrayPool<(ulong, int)>.Shared.Rent(capacity);
            lock (_locationLock)
            {
                if (_locations.Count <= capacity)
                    return (addresses, blobs, _locations.CopyBlobLocations(_blobs.CommittedUntilAddress, addresses, blobs));
            }
            ArrayPool<(ulong, int)>.Shared.Return(blobs);
            ArrayPool<long>.Shared.Return(addresses);
        }
    }

    /// <summary>Reads the live entries at <paramref name="addresses"/> (ascending) in windows of at most
    /// <paramref name="buffer"/>.Length bytes and visits the verified ones; ids of entries that failed go to
    /// <paramref name="failed"/>.</summary>
    private void ReadLiveBlobs(ReadOnlySpan<long> addresses, ReadOnlySpan<(ulong Id, int Length)> blobs, byte[] buffer,
        LiveBlobVisitor visitor, List<ulong> failed, CancellationToken cancellationToken)
    {
        int first = 0;
        while (first < addresses.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // One window: live entries from `first` on while they fit the buffer and no long gap separates them.
            long start = addresses[first];
            long end = start + _blobs.FramedLength(blobs[first].Length);
            int last = first + 1;
            for (; last < addresses.Length; last++)
            {
                long entryEnd = addresses[last] + _blobs.FramedLength(blobs[last].Length);
                if (addresses[last] - end >= LiveBlobSkipBytes || entryEnd - start > buffer.Length)
                    break;
                end = entryEnd;
            }
            var window = buffer.AsSpan(0, (int)(end - start));
            bool read = _blobs.TryReadCommittedRange(start, window);
            for (int i = first; i < last; i++)
            {
                var (id, length) = blobs[i];
                var entry = read ? _blobs.EntryBody(window[(int)(addresses[i] - start)..], length) : default;
                if (!TryVisitLiveBlob(id, addresses[i], entry, visitor))
                    failed.Add(id);
            }
            first = last;
        }
    }

    /// <summary>Visits the blob <paramref name="entry"/> read at <paramref name="address"/> if it is still
    /// <paramref name="id"/>'s current version and verifies; true also when it is no longer current (skipped),
    /// false when it failed verification.</summary>
    private bool TryVisitLiveBlob(ulong id, long address, ReadOnlySpan<byte> entry, LiveBlobVisitor visitor)
    {
        uint recordedCrc;
        lock (_locationLock)
        {
            if (!_locations.TryGet(id, out var location) || location.BlobAddress != address)
                return true; // overwritten or deleted since the list of locations was taken
            recordedCrc = location.BlobCrc;
        }
        if (!BlobEntry.TryVerify(entry, id, recordedCrc, out var blob))
            return false;
        visitor(id, blob.Original, blob.Payload);
        return true;
    }
}

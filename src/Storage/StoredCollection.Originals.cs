using System.Buffers;
using VectorDb.Storage.Records;

namespace VectorDb.Storage;

public sealed partial class StoredCollection
{
    private long _originalReadFallbacks;

    /// <summary>Original reads that could not be served from the segment file at the recorded location and went
    /// through <see cref="GetAsync"/> instead (moved by compaction, or damaged). For tests and diagnostics.</summary>
    internal long OriginalReadFallbacks => Interlocked.Read(ref _originalReadFallbacks);

    /// <summary>
    /// Reads the originals of a batch of points synchronously, for exact re-ranking from disk: the locations of the
    /// whole batch are resolved under one index-lock acquisition, then the blob entries are read in blob-log order
    /// straight from the segment files on the calling thread (one positioned read per entry; the OS page cache
    /// answers hot ones), with no FASTER epoch, no thread pool and no allocation beyond pooled scratch. Every entry is
    /// verified (CRC-32C, point id, the CRC recorded at write time) before its original is used.
    /// </summary>
    /// <param name="ids">Points to read.</param>
    /// <param name="destination">Receives the original of <c>ids[i]</c> at
    /// <c>[i·OriginalBytesPerVector, (i+1)·OriginalBytesPerVector)</c>, in the collection's original format.</param>
    /// <param name="found">found[i] is set to whether <c>ids[i]</c> is live and has an original.</param>
    /// <returns>How many ids were found.</returns>
    /// <remarks>A point written with <c>wait: false</c> and not yet committed makes the call wait (blocking) for the
    /// next commit round. An entry that compaction moved meanwhile (or a damaged one) falls back to
    /// <see cref="GetAsync"/>, which retries at the new location or throws <see cref="StorageCorruptionException"/>.</remarks>
    /// <exception cref="ArgumentException">The spans are too short.</exception>
    public int ReadOriginals(ReadOnlySpan<ulong> ids, Span<byte> destination, Span<bool> found)
    {
        ThrowIfDisposed();
        int width = Manifest.OriginalBytesPerVector;
        if (destination.Length < (long)ids.Length * width || found.Length < ids.Length)
            throw new ArgumentException(
                $"{ids.Length} ids need {(long)ids.Length * width} destination bytes and {ids.Length} found flags; got {destination.Length} and {found.Length}.");
        found[..ids.Length].Clear();
        if (width == 0 || ids.IsEmpty)
            return 0;

        var locations = ArrayPool<PointLocation>.Shared.Rent(ids.Length);
        var order = ArrayPool<long>.Shared.Rent(ids.Length);
        var entry = ArrayPool<byte>.Shared.Rent(_blobs.MaxEntryBytes);
        try
        {
            int pending = 0;
            bool uncommitted = false;
            lock (_locationLock)
            {
                for (int i = 0; i < ids.Length; i++)
                {
                    if (!_locations.TryGet(ids[i], out var location) || !location.HasBlob)
                        continue;
                    location = ReadableLocation(ids[i], location);
                    locations[i] = location;
                    order[pending++] = i;
                    uncommitted |= location.BlobAddress >= _blobs.CommittedUntilAddress;
                }
            }
            if (uncommitted)
                _committer.WaitForDurableAsync().GetAwaiter().GetResult();
            // Blob-log order: neighbouring entries share pages of the segment file (read-ahead, fewer seeks).
            var indices = order.AsSpan(0, pending);
            indices.Sort((a, b) => locations[a].BlobAddress.CompareTo(locations[b].BlobAddress));
            int hits = 0;
            foreach (long at in indices)
            {
                int i = (int)at;
                var location = locations[i];
                var target = destination.Slice(i * width, width);
                var body = entry.AsSpan(0, location.BlobLength);
                if (_blobs.TryReadCommitted(location.BlobAddress, body) &&
                    BlobEntry.TryVerify(body, ids[i], location.BlobCrc, out var blob) && blob.Original.Length == width)
                {
                    blob.Original.CopyTo(target);
                    found[i] = true;
                    hits++;
                    continue;
                }
                // Moved by compaction (its old segment may be gone) or damaged: the single-point path retries or reports.
                Interlocked.Increment(ref _originalReadFallbacks);
                var point = GetAsync(ids[i]).GetAwaiter().GetResult();
                if (point is not null && point.Original.Length == width)
                {
                    point.Original.CopyTo(target);
                    found[i] = true;
                    hits++;
                }
            }
            return hits;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(entry);
            ArrayPool<long>.Shared.Return(order);
            ArrayPool<PointLocation>.Shared.Return(locations, clearArray: true);
        }
    }
}

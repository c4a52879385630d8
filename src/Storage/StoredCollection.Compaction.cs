using VectorDb.Storage.Records;

namespace VectorDb.Storage;

/// <summary>What one compaction pass did.</summary>
/// <param name="BlobEntriesMoved">Live blob entries copied to the tail (with a fresh codes entry each).</param>
/// <param name="CodesEntriesMoved">Live codes entries copied to the tail.</param>
/// <param name="BytesOnDiskBefore">Segment bytes before the pass.</param>
/// <param name="BytesOnDiskAfter">Segment bytes after the pass (truncated segments deleted).</param>
public readonly record struct CompactionResult(long BlobEntriesMoved, long CodesEntriesMoved, long BytesOnDiskBefore, long BytesOnDiskAfter);

public sealed partial class StoredCollection
{
    private readonly CancellationTokenSource _stopCompaction = new();
    private readonly SemaphoreSlim _compactionGate = new(1, 1);
    private readonly Task? _compactionLoop;

    /// <summary>
    /// Reclaims the space of overwritten and deleted points: copies every live entry below the current committed
    /// tails to the tail, commits, then truncates both logs there (whole segment files are deleted once the new
    /// begin addresses are durable). Runs on a pool thread; readers and writers are blocked only while one entry is
    /// re-appended under the index lock (microseconds). Crash-safe at every point: until the truncation is
    /// committed the old entries stay valid, and re-appended copies are ordinary, later versions.
    /// </summary>
    public async Task<CompactionResult> CompactAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await _compactionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(CompactOnce, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _compactionGate.Release();
        }
    }

    private async Task<CompactionResult> CompactOnce()
    {
        await _committer.WaitForDurableAsync().ConfigureAwait(false);
        long before = GetStatistics().BytesOnDisk;
        // Cuts are committed tails: entry boundaries, and everything below them is readable by a scan. Entries
        // appended from now on (including our own copies) land above them.
        long codesBegin = _codes.BeginAddress, blobsBegin = _blobs.BeginAddress;
        long codesCut = _codes.CommittedUntilAddress, blobsCut = _blobs.CommittedUntilAddress;

        var blobMover = new BlobMover(this);
        _blobs.Scan(blobsBegin, blobsCut, blobMover);
        var codesMover = new CodesMover(this);
        _codes.Scan(codesBegin, codesCut, codesMover);

        lock (_indexLock)
        {
            // Defence in depth: a live entry left below a cut means a scan missed it; truncating would lose it.
            foreach (var (id, location) in _index.Snapshot())
            {
                if (location.CodesAddress < codesCut || (location.HasBlob && location.BlobAddress < blobsCut))
                {
                    var (file, offset) = location.CodesAddress < codesCut
                        ? _codes.Locate(location.CodesAddress)
                        : _blobs.Locate(location.BlobAddress);
                    throw new StorageCorruptionException(file, offset,
                        $"compaction could not move point {id}; the log was left untruncated");
                }
            }
        }
        await _committer.WaitForDurableAsync().ConfigureAwait(false); // copies durable before the old entries go
        _codes.TruncateUntil(codesCut);
        _blobs.TruncateUntil(blobsCut);
        await _committer.WaitForDurableAsync().ConfigureAwait(false); // new begin addresses durable; files deleted
        return new CompactionResult(blobMover.Moved, codesMover.Moved, before, GetStatistics().BytesOnDisk);
    }

    /// <summary>Copies live blob entries (verbatim) to the tail and points their id at the copy with a fresh codes
    /// entry rebuilt from the blob's own content.</summary>
    private sealed class BlobMover(StoredCollection c) : ILogEntryVisitor
    {
        private readonly byte[] _scratch = new byte[c._codes.MaxEntryBytes];

        public long Moved { get; private set; }

        public bool Visit(ReadOnlySpan<byte> entry, long address, long nextAddress)
        {
            c._stopCompaction.Token.ThrowIfCancellationRequested();
            if (BlobEntry.TryParse(entry, out var blob) != ParseStatus.Ok)
            {
                // Unreferenced damaged entries (e.g. orphans of a rejected batch) are harmless; referenced ones are
                // reported by the final check, which refuses to truncate.
                return true;
            }
            lock (c._indexLock)
            {
                if (!c._index.TryGet(blob.PointId, out var location) || location.BlobAddress != address)
                    return true;
            }
            long copy = c._blobs.Append(entry);
            lock (c._indexLock)
            {
                if (!c._index.TryGet(blob.PointId, out var location) || location.BlobAddress != address)
                    return true; // overwritten meanwhile; the copy is garbage
                var codes = new CodesEntry
                {
                    Kind = EntryKind.Upsert,
                    Sequence = ++c._lastSequence,
                    PointId = blob.PointId,
                    BlobAddress = copy,
                    BlobLength = entry.Length,
                    BlobCrc = location.BlobCrc,
                    Codes = blob.Codes,
                    KeyUtf8 = blob.KeyUtf8,
                };
                int size = codes.WriteTo(_scratch);
                long codesAddress = c._codes.Append(_scratch.AsSpan(0, size));
                c._index.Set(blob.PointId, location with { CodesAddress = codesAddress, CodesLength = size, BlobAddress = copy });
            }
            Moved++;
            return true;
        }
    }

    /// <summary>Copies live codes entries to the tail with a new sequence number.</summary>
    private sealed class CodesMover(StoredCollection c) : ILogEntryVisitor
    {
        private readonly byte[] _scratch = new byte[c._codes.MaxEntryBytes];

        public long Moved { get; private set; }

        public bool Visit(ReadOnlySpan<byte> entry, long address, long nextAddress)
        {
            c._stopCompaction.Token.ThrowIfCancellationRequested();
            if (CodesEntry.TryParse(entry, out var parsed) != ParseStatus.Ok || parsed.Kind != EntryKind.Upsert)
                return true;
            lock (c._indexLock)
            {
                if (!c._index.TryGet(parsed.PointId, out var location) || location.CodesAddress != address)
                    return true;
                int size = (parsed with { Sequence = ++c._lastSequence }).WriteTo(_scratch);
                long copy = c._codes.Append(_scratch.AsSpan(0, size));
                c._index.Set(parsed.PointId, location with { CodesAddress = copy });
            }
            Moved++;
            return true;
        }
    }

    /// <summary>The error that stopped background compaction (e.g. <see cref="StorageCorruptionException"/>), if any.</summary>
    public Exception? BackgroundCompactionFault { get; private set; }

    private async Task RunBackgroundCompactionAsync()
    {
        var token = _stopCompaction.Token;
        double ratio = _options.BackgroundCompactionGarbageRatio!.Value;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.BackgroundCompactionCheckInterval, token).ConfigureAwait(false);
                var s = GetStatistics();
                long codesGarbage = s.CodesLogBytes - s.CodesLogLiveBytes;
                long blobGarbage = s.BlobLogBytes - s.BlobLogLiveBytes;
                bool due = (codesGarbage >= _options.BackgroundCompactionMinGarbageBytes && codesGarbage > ratio * s.CodesLogBytes) ||
                           (blobGarbage >= _options.BackgroundCompactionMinGarbageBytes && blobGarbage > ratio * s.BlobLogBytes);
                if (due)
                    await CompactAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                // Reported, not swallowed: the next explicit CompactAsync or open surfaces the same damage.
                BackgroundCompactionFault = e;
                return;
            }
        }
    }
}

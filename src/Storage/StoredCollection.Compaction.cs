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

    /// <summary>Live bytes a compaction pass copies between two commits. Each chunk's copies are committed before
    /// the next chunk is moved, which bounds the uncommitted data a concurrent durable writer's commit round must
    /// flush (about a chunk: ~2.5 ms at this disk's ~420 MB/s plus one fsync) and the size of
    /// <see cref="_movedFrom"/>.</summary>
    private const long CompactionChunkBytes = 1L << 20;

    /// <summary>Points moved by the running compaction chunk whose copies are not committed yet: id -> (location
    /// of the copy, location it was copied from). Reads of such a point use the old, committed location (identical
    /// content, valid until the truncation, which waits for the copies' commit) instead of waiting for a commit
    /// round. Guarded by the location lock; cleared once the chunk's copies are durable.</summary>
    private readonly Dictionary<ulong, (PointLocation Copy, PointLocation Old)> _movedFrom = [];

    /// <summary>
    /// Reclaims the space of overwritten and deleted points: copies every live entry below the current committed
    /// tails to the tail, commits, then truncates both logs there (whole segment files are deleted once the new
    /// begin addresses are durable). Runs on a pool thread; readers and writers are blocked only while one entry is
    /// re-appended under the location lock (microseconds). Crash-safe at every point: until the truncation is
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
        await MoveInChunksAsync(_blobs, blobsBegin, blobsCut, blobMover).ConfigureAwait(false);
        var codesMover = new CodesMover(this);
        await MoveInChunksAsync(_codes, codesBegin, codesCut, codesMover).ConfigureAwait(false);

        lock (_locationLock)
        {
            // Defence in depth: a live entry left below a cut means a scan missed it; truncating would lose it.
            foreach (var (id, location) in _locations.Snapshot())
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
        // The copies are durable before the old entries go: each chunk's copies were committed by MoveInChunksAsync
        // (and a log with nothing below its cut had nothing to copy).
        _codes.TruncateUntil(codesCut);
        _blobs.TruncateUntil(blobsCut);
        CrashPoint.Reach(_options, CrashPoint.CompactionTruncated);
        await _committer.WaitForDurableAsync().ConfigureAwait(false); // new begin addresses durable; files deleted
        CrashPoint.Reach(_options, CrashPoint.CompactionCommitted);
        return new CompactionResult(blobMover.Moved, codesMover.Moved, before, GetStatistics().BytesOnDisk);
    }

    /// <summary>Scans [begin, cut) of <paramref name="log"/> with <paramref name="mover"/> one chunk of
    /// <see cref="CompactionChunkBytes"/> copied bytes at a time, committing each chunk's copies before the next.</summary>
    private async Task MoveInChunksAsync(IAppendLog log, long begin, long cut, ChunkedMover mover)
    {
        long next = begin;
        while (next < cut)
        {
            mover.StartChunk();
            next = log.Scan(next, cut, mover);
            CrashPoint.Reach(_options, CrashPoint.CompactionChunkCopied);
            await _committer.WaitForDurableAsync().ConfigureAwait(false);
            lock (_locationLock)
                _movedFrom.Clear();
            CrashPoint.Reach(_options, CrashPoint.CompactionChunkCommitted);
            if (!mover.ChunkFull)
                break; // the scan reached the cut
        }
    }

    /// <summary>The committed location to read for <paramref name="id"/>: <paramref name="current"/>, or where
    /// compaction copied it from while the copy is not yet committed. Caller holds the location lock.</summary>
    private PointLocation ReadableLocation(ulong id, PointLocation current) =>
        _movedFrom.Count > 0 && _movedFrom.TryGetValue(id, out var moved) && moved.Copy == current ? moved.Old : current;

    /// <summary>A compaction visitor that stops after copying about <see cref="CompactionChunkBytes"/>.</summary>
    private abstract class ChunkedMover(StoredCollection c) : ILogEntryVisitor
    {
        private long _chunkBytes;

        protected StoredCollection C => c;

        public long Moved { get; private set; }

        public bool ChunkFull => _chunkBytes >= CompactionChunkBytes;

        public void StartChunk() => _chunkBytes = 0;

        public bool Visit(ReadOnlySpan<byte> entry, long address, long nextAddress)
        {
            c._stopCompaction.Token.ThrowIfCancellationRequested();
            if (Move(entry, address))
            {
                Moved++;
                _chunkBytes += entry.Length;
            }
            return !ChunkFull;
        }

        /// <summary>Copies the entry if it is live; true if it did.</summary>
        protected abstract bool Move(ReadOnlySpan<byte> entry, long address);

        /// <summary>Records the move for readers (caller holds the location lock).</summary>
        protected void RecordMove(ulong id, PointLocation old, PointLocation copy)
        {
            c._locations.Set(id, copy);
            c._movedFrom[id] = (copy, old);
        }
    }

    /// <summary>Copies live blob entries (verbatim) to the tail and points their id at the copy with a fresh codes
    /// entry rebuilt from the blob's own content.</summary>
    private sealed class BlobMover(StoredCollection collection) : ChunkedMover(collection)
    {
        private readonly byte[] _scratch = new byte[collection._codes.MaxEntryBytes];

        protected override bool Move(ReadOnlySpan<byte> entry, long address)
        {
            C._stopCompaction.Token.ThrowIfCancellationRequested();
            if (BlobEntry.TryParse(entry, out var blob) != ParseStatus.Ok)
            {
                // Unreferenced damaged entries (e.g. orphans of a rejected batch) are harmless; referenced ones are
                // reported by the final check, which refuses to truncate.
                return false;
            }
            lock (C._locationLock)
            {
                if (!C._locations.TryGet(blob.PointId, out var location) || location.BlobAddress != address)
                    return false;
            }
            // Compaction needs disk space too (it frees space only once the copies are committed and the old
            // segments truncated): on a full disk it stops here with DiskFullException, truncating nothing.
            long blobSpace = C._blobs.SpaceBound(entry.Length);
            long codesSpace = C._codes.SpaceBound(CodesEntry.Size(blob.Codes.Length, blob.KeyUtf8.Length));
            C.ReserveSpace(blobSpace, codesSpace);
            try
            {
                return MoveReserved(entry, address, blob);
            }
            finally
            {
                C._blobs.ReleaseSpace(blobSpace);
                C._codes.ReleaseSpace(codesSpace);
            }
        }

        private bool MoveReserved(ReadOnlySpan<byte> entry, long address, BlobEntry blob)
        {
            long copy = C._blobs.Append(entry);
            lock (C._locationLock)
            {
                if (!C._locations.TryGet(blob.PointId, out var location) || location.BlobAddress != address)
                    return false; // overwritten meanwhile; the copy is garbage
                var codes = new CodesEntry
                {
                    Kind = EntryKind.Upsert,
                    Sequence = ++C._lastSequence,
                    PointId = blob.PointId,
                    BlobAddress = copy,
                    BlobLength = entry.Length,
                    BlobCrc = location.BlobCrc,
                    Codes = blob.Codes,
                    KeyUtf8 = blob.KeyUtf8,
                };
                int size = codes.WriteTo(_scratch);
                long codesAddress = C._codes.Append(_scratch.AsSpan(0, size));
                RecordMove(blob.PointId, location, location with { CodesAddress = codesAddress, CodesLength = size, BlobAddress = copy });
            }
            return true;
        }
    }

    /// <summary>Copies live codes entries to the tail with a new sequence number.</summary>
    private sealed class CodesMover(StoredCollection collection) : ChunkedMover(collection)
    {
        private readonly byte[] _scratch = new byte[collection._codes.MaxEntryBytes];

        protected override bool Move(ReadOnlySpan<byte> entry, long address)
        {
            if (CodesEntry.TryParse(entry, out var parsed) != ParseStatus.Ok || parsed.Kind != EntryKind.Upsert)
                return false;
            long space = C._codes.SpaceBound(entry.Length);
            C._codes.ReserveSpace(space); // a full disk stops compaction here (DiskFullException), truncating nothing
            try
            {
                lock (C._locationLock)
                {
                    if (!C._locations.TryGet(parsed.PointId, out var location) || location.CodesAddress != address)
                        return false;
                    int size = (parsed with { Sequence = ++C._lastSequence }).WriteTo(_scratch);
                    long copy = C._codes.Append(_scratch.AsSpan(0, size));
                    RecordMove(parsed.PointId, location, location with { CodesAddress = copy });
                }
                return true;
            }
            finally
            {
                C._codes.ReleaseSpace(space);
            }
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

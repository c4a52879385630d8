using VectorDb.Storage.Faster;
using VectorDb.Storage.Io;

namespace VectorDb.Storage;

/// <summary>
/// One durable collection: point id -> (codes, original, payload, optional string key).
/// <para>Layout on disk (one directory): <c>manifest.vdb</c> and <c>logs.vdb</c> (immutable, checksummed), <c>commit.slots</c> (the
/// durable commit point of both logs), the codes log <c>codes.log.N</c> (small entries: id, codes, key, blob
/// address; all that recovery reads) and the blob log <c>blobs.log.N</c> (originals and payloads, read on demand).
/// Every entry carries a CRC-32C; codes entries also carry consecutive sequence numbers.</para>
/// <para>Durability: a write with <c>wait: true</c> completes only after a commit round has fsynced both logs and
/// the commit slot that points past it. With <c>wait: false</c> it completes after the in-memory append and becomes
/// durable within <see cref="StorageOptions.BufferedCommitInterval"/>.</para>
/// <para>Thread safety: all members may be called concurrently. Writes to the same id are ordered by the location
/// lock, which is held only while codes entries are appended (microseconds per point).</para>
/// </summary>
public sealed partial class StoredCollection : IAsyncDisposable, IDisposable
{
    internal const string CodesLogName = "codes.log";
    internal const string BlobLogName = "blobs.log";
    private const string LockFileName = "LOCK";

    private readonly Lock _locationLock = new();
    private readonly PointLocationMap _locations = new();
    private readonly IAppendLog _codes;
    private readonly IAppendLog _blobs;
    private readonly CommitSlotFile _slots;
    private readonly FileStream _lockFile;
    private readonly StorageOptions _options;
    private readonly GroupCommitter _committer;
    private ulong _lastSequence;
    private long _slotCodesVersion;
    private long _slotBlobsVersion;
    // The logs' metadata in the commit slot on disk (what a restart recovers to): segment files are deleted only
    // below the begin addresses recorded here.
    private byte[]? _slotCodesCommit;
    private byte[]? _slotBlobsCommit;
    private int _disposed;

    private StoredCollection(string name, string directory, CollectionManifest manifest, StorageOptions options,
        FileStream lockFile, CommitSlotFile slots, IAppendLog codes, IAppendLog blobs)
    {
        Name = name;
        Directory = directory;
        Manifest = manifest;
        _options = options;
        _lockFile = lockFile;
        _slots = slots;
        _codes = codes;
        _blobs = blobs;
        _slotCodesVersion = codes.StagedCommit.Version;
        _slotBlobsVersion = blobs.StagedCommit.Version;
        _slotCodesCommit = codes.StagedCommit.Metadata;
        _slotBlobsCommit = blobs.StagedCommit.Metadata;
        _committer = new GroupCommitter(CommitRoundAsync, options.BufferedCommitInterval, cause => new CollectionFaultedException(name, cause));
        _compactionLoop = options.BackgroundCompactionGarbageRatio is null ? null : Task.Run(RunBackgroundCompactionAsync);
    }

    /// <summary>Collection name (its directory name in the catalogue).</summary>
    public string Name { get; }

    /// <summary>Directory holding this collection's files.</summary>
    public string Directory { get; }

    /// <summary>The persisted manifest.</summary>
    public CollectionManifest Manifest { get; }

    /// <summary>Number of live points.</summary>
    public long Count
    {
        get { lock (_locationLock) return _locations.Count; }
    }

    /// <summary>Counts and byte sizes (live vs. total per log, and on disk).</summary>
    public CollectionStatistics GetStatistics()
    {
        lock (_locationLock)
        {
            return new CollectionStatistics(
                _locations.Count,
                _codes.BytesOnDisk() + _blobs.BytesOnDisk(),
                _codes.TailAddress - _codes.BeginAddress,
                _locations.CodesLiveBytes,
                _blobs.TailAddress - _blobs.BeginAddress,
                _locations.BlobLiveBytes);
        }
    }

    /// <summary>Makes every write acknowledged so far durable (a checkpoint), then returns.</summary>
    public Task FlushAsync()
    {
        ThrowIfDisposed();
        return _committer.WaitForDurableAsync();
    }

    /// <summary>Opens the collection in <paramref name="directory"/>, recovering its latest committed state.</summary>
    internal static StoredCollection Open(string name, string directory, CollectionManifest manifest, StorageOptions options)
    {
        var lockFile = AcquireLock(name, directory);
        CommitSlotFile? slots = null;
        IAppendLog? codes = null, blobs = null;
        try
        {
            var layout = LogLayoutFile.Read(directory);
            CollectionIdentity.Verify(directory, manifest, layout); // every metadata file belongs to this collection
            slots = CommitSlotFile.Open(directory, manifest.CollectionId, out var codesCommit, out var blobsCommit);
            codes = FasterAppendLog.Open(directory, CodesLogName, CodesGeometry(layout, options), codesCommit, singleAppender: true,
                options.DiskSpaceForTests);
            if (options.WrapCodesLogForTests is { } wrap)
                codes = wrap(codes);
            blobs = FasterAppendLog.Open(directory, BlobLogName, BlobGeometry(layout, options), blobsCommit, singleAppender: false,
                options.DiskSpaceForTests);
            var collection = new StoredCollection(name, directory, manifest, options, lockFile, slots, codes, blobs);
            try
            {
                collection.Recover();
            }
            catch
            {
                collection.Dispose();
                throw;
            }
            return collection;
        }
        catch
        {
            codes?.Dispose(); // disposing twice (after the collection's own dispose) is harmless
            blobs?.Dispose();
            slots?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>Page and segment sizes for a new collection: a page holds the largest entry plus FASTER's header.</summary>
    internal static LogLayout NewLayout(CollectionManifest manifest, StorageOptions options) =>
        Sizes(manifest, options) with { Identity = CollectionIdentity.Of(manifest) };

    private static LogLayout Sizes(CollectionManifest manifest, StorageOptions options)
    {
        int maxCodes = Records.CodesEntry.Size(manifest.CodeBytesPerVector, options.MaxKeyBytes);
        int maxBlob = Records.BlobEntry.Size(manifest.CodeBytesPerVector, manifest.OriginalBytesPerVector,
            manifest.MaxPayloadBytes, options.MaxKeyBytes);
        int codesPageBits = Math.Max(18, 64 - (int)ulong.LeadingZeroCount((ulong)maxCodes + 128));
        int blobPageBits = Math.Max(20, 64 - (int)ulong.LeadingZeroCount((ulong)maxBlob + 128));
        return new LogLayout(codesPageBits, blobPageBits, Math.Max(options.SegmentSizeBits, blobPageBits));
    }

    internal static LogGeometry CodesGeometry(LogLayout layout, StorageOptions options) =>
        Geometry(layout.CodesPageBits, options.CodesLogMemoryBytes, layout.SegmentBits);

    internal static LogGeometry BlobGeometry(LogLayout layout, StorageOptions options) =>
        Geometry(layout.BlobPageBits, options.BlobLogMemoryBytes, layout.SegmentBits);

    // The in-memory part holds at least four pages; it is the only size that may change between opens.
    private static LogGeometry Geometry(int pageBits, long memoryBytes, int segmentBits)
    {
        int memoryBits = Math.Max(pageBits + 2, 63 - (int)ulong.LeadingZeroCount((ulong)memoryBytes));
        return new LogGeometry(pageBits, memoryBits, segmentBits);
    }

    private static FileStream AcquireLock(string name, string directory)
    {
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix; the kernel drops it if the process dies.
            return new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite,
                FileShare.None);
        }
        catch (IOException e)
        {
            throw new CollectionLockedException(name, e);
        }
    }

    /// <summary>One group-commit round: capture both tails atomically with respect to writers (so every committed
    /// codes entry references a committed blob), fsync both logs, then write and fsync the commit slot.</summary>
    private async ValueTask CommitRoundAsync()
    {
        ValueTask blobsCommit, codesCommit;
        lock (_locationLock)
        {
            blobsCommit = _blobs.CommitAsync();
            codesCommit = _codes.CommitAsync();
        }
        await blobsCommit.ConfigureAwait(false);
        CrashPoint.Reach(_options, CrashPoint.CommitBlobsFlushed);
        await codesCommit.ConfigureAwait(false);
        CrashPoint.Reach(_options, CrashPoint.CommitLogsFlushed);
        var (codesMeta, codesVersion) = _codes.StagedCommit;
        var (blobsMeta, blobsVersion) = _blobs.StagedCommit;
        if (codesVersion != _slotCodesVersion || blobsVersion != _slotBlobsVersion)
        {
            _slots.Write(codesMeta, blobsMeta);
            _slotCodesVersion = codesVersion;
            _slotBlobsVersion = blobsVersion;
            _slotCodesCommit = codesMeta;
            _slotBlobsCommit = blobsMeta;
        }
        CrashPoint.Reach(_options, CrashPoint.CommitSlotWritten);
        // Only now is the truncation (if any) durable, so files below the slot's begin addresses may go (not every
        // queued one: this round may have staged a begin address from before a truncation that queued more). Deleting
        // them (hundreds of MB after a compaction, then a directory fsync) took up to ~200 ms on this disk; done
        // here it delayed every durable writer waiting on this round. So it runs after the round, one release at a
        // time; segments queued while one runs are taken by the next round's release (or at dispose).
        if (_segmentRelease.IsCompleted)
        {
            var (durableCodes, durableBlobs) = (_slotCodesCommit, _slotBlobsCommit);
            _segmentRelease = Task.Run(() => ReleaseRemovedSegments(durableCodes, durableBlobs));
        }
    }

    /// <summary>The background deletion of truncated segment files started by the last commit round that had any.</summary>
    private Task _segmentRelease = Task.CompletedTask;

    private void ReleaseRemovedSegments(byte[]? codesCommit, byte[]? blobsCommit)
    {
        _codes.ReleaseRemovedSegments(codesCommit);
        _blobs.ReleaseRemovedSegments(blobsCommit);
    }

    /// <summary>Raised once after the collection is closed (the catalogue forgets it). Set only after a successful
    /// open, so a failed open never calls back into the catalogue that is still opening it.</summary>
    internal Action<StoredCollection>? Closed { get; set; }

    /// <summary>Throws when the collection is closed, or <see cref="CollectionFaultedException"/> when a commit
    /// round failed (every call is then refused until the collection is reopened).</summary>
    private void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ThrowIfFaulted();
    }

    /// <summary>Throws <see cref="CollectionFaultedException"/> if a commit round failed. The engine calls this on
    /// every call, reads included: after a failed commit its in-memory state may hold writes that are not durable.</summary>
    public void ThrowIfFaulted()
    {
        if (_committer.Failure is { } failure)
            throw failure;
    }

    /// <summary>Commits everything buffered, stops background work and closes the files. Throws
    /// <see cref="CollectionFaultedException"/> (after closing) when a commit failed, so the final commit is never
    /// reported done when it was not.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stopCompaction.Cancel();
        if (_compactionLoop is not null)
        {
            try { await _compactionLoop.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        await _compactionGate.WaitAsync().ConfigureAwait(false); // let an explicit compaction finish or cancel
        await _committer.DisposeAsync().ConfigureAwait(false);
        await _segmentRelease.ConfigureAwait(false);
        // What the last round queued while a release was running; segments a durable commit still covers stay (the
        // next open deletes what lies below its recovered begin address).
        ReleaseRemovedSegments(_slotCodesCommit, _slotBlobsCommit);
        _codes.Dispose();
        _blobs.Dispose();
        _slots.Dispose();
        _lockFile.Dispose();
        _stopCompaction.Dispose();
        _compactionGate.Dispose();
        Closed?.Invoke(this);
        // Closing is reported honestly: if a commit round failed (before or in the final one), what was applied
        // after the last durable commit is not on disk.
        if (_committer.Failure is { } failure)
            throw failure;
    }

    /// <summary>Synchronous <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}

namespace VectorDb.Storage;

/// <summary>
/// Tuning of the storage layer. Defaults suit one collection of about a million 768-d vectors on a small machine.
/// None of these are persisted: they may change between opens.
/// </summary>
public sealed record StorageOptions
{
    /// <summary>Bytes of the blob log (originals + payloads) kept in memory; older pages are read back from disk
    /// on demand. Rounded down to a power of two, at least four pages.</summary>
    public long BlobLogMemoryBytes { get; init; } = 64L << 20;

    /// <summary>Bytes of the codes log kept in memory. Rounded down to a power of two, at least four pages.</summary>
    public long CodesLogMemoryBytes { get; init; } = 16L << 20;

    /// <summary>log2 of the size of one segment file of a new collection (fixed at creation); compaction frees disk
    /// space one whole segment at a time.</summary>
    public int SegmentSizeBits { get; init; } = 26;

    /// <summary>How often buffered (<c>wait: false</c>) writes are committed. This bounds the loss window of an
    /// acknowledged buffered write: after a crash it is lost only if it was acknowledged less than this interval
    /// (plus the duration of one commit, typically a few ms) before the crash.</summary>
    public TimeSpan BufferedCommitInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Run compaction in the background when garbage exceeds this share of a log's bytes (0..1);
    /// null disables background compaction (explicit <c>StoredCollection.CompactAsync</c> still works).</summary>
    public double? BackgroundCompactionGarbageRatio { get; init; } = 0.5;

    /// <summary>Minimum garbage, in bytes, before background compaction runs (avoids rewriting tiny logs).</summary>
    public long BackgroundCompactionMinGarbageBytes { get; init; } = 64L << 20;

    /// <summary>How often the background compactor checks the garbage ratio.</summary>
    public TimeSpan BackgroundCompactionCheckInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest accepted string key, in UTF-8 bytes.</summary>
    public int MaxKeyBytes { get; init; } = 1024;

    /// <summary>Fault injection for tests only: wraps the codes log of every collection opened with these options
    /// (e.g. to refuse an append mid-batch, which a real log does only when its memory is full). Null in production.</summary>
    internal Func<IAppendLog, IAppendLog>? WrapCodesLogForTests { get; init; }

    /// <summary>Fault injection for tests only: simulated free disk space shared by every log of every collection
    /// opened with these options (a full disk then refuses writes as ENOSPC does). Null in production.</summary>
    internal DiskSpaceBudget? DiskSpaceForTests { get; init; }

    /// <summary>Crash injection for tests only: called with a <see cref="CrashPoint"/> name at fixed points inside
    /// ingest, commit rounds, compaction and create/drop, so a crash test can stop the process exactly there and kill
    /// it. Null in production (each point is then a null check).</summary>
    internal Action<string>? CrashPointForTests { get; init; }

    internal void Validate()
    {
        if (BlobLogMemoryBytes < 1 << 20 || CodesLogMemoryBytes < 1 << 20)
            throw new ArgumentException("Log memory budgets must be at least 1 MiB each.");
        if (SegmentSizeBits is < 20 or > 34)
            throw new ArgumentException($"SegmentSizeBits must be in 20..34 (1 MiB .. 16 GiB), got {SegmentSizeBits}.");
        if (BufferedCommitInterval <= TimeSpan.Zero)
            throw new ArgumentException("BufferedCommitInterval must be positive.");
        if (BackgroundCompactionGarbageRatio is <= 0 or >= 1)
            throw new ArgumentException("BackgroundCompactionGarbageRatio must be in (0, 1) or null.");
        if (MaxKeyBytes is < 1 or > ushort.MaxValue)
            throw new ArgumentException($"MaxKeyBytes must be in 1..65535, got {MaxKeyBytes}.");
    }
}

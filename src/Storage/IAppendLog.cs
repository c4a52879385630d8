namespace VectorDb.Storage;

/// <summary>Receives entries from <see cref="IAppendLog.Scan"/> in log order. Return false to stop early. The span is
/// a private copy valid only during the call; the visitor may append to any log, including the one being scanned.</summary>
internal interface ILogEntryVisitor
{
    bool Visit(ReadOnlySpan<byte> entry, long address, long nextAddress);
}

/// <summary>
/// An append-only log of opaque entries with group commit, random reads by address, sequential scans and prefix
/// truncation. The only implementation lives in <c>Faster/</c> (FASTER's FasterLog); the rest of the storage layer
/// sees this interface only, so a move to another engine (e.g. Tsavorite) stays local to that folder.
/// Addresses are logical byte positions, strictly increasing in append order.
/// </summary>
internal interface IAppendLog : IDisposable
{
    /// <summary>First address still in the log (advances with <see cref="TruncateUntil"/> after a commit).</summary>
    long BeginAddress { get; }

    /// <summary>Address the next append will receive (or a later one, after page padding).</summary>
    long TailAddress { get; }

    /// <summary>Entries below this address are flushed and fsynced (their commit slot may still be pending).</summary>
    long CommittedUntilAddress { get; }

    /// <summary>Largest entry <see cref="Append"/> accepts, in bytes.</summary>
    int MaxEntryBytes { get; }

    /// <summary>Disk space, in bytes, to reserve for appending one entry with a body of <paramref name="bodyLength"/>
    /// bytes (framing and worst-case page-end padding included).</summary>
    long SpaceBound(int bodyLength);

    /// <summary>Allocates disk space for the next appends, <paramref name="bytes"/> as summed from
    /// <see cref="SpaceBound"/>; every append must be covered by a reservation, released with
    /// <see cref="ReleaseSpace"/> once its appends are done. Throws <see cref="DiskFullException"/> (nothing
    /// reserved) when the volume is full.</summary>
    void ReserveSpace(long bytes);

    /// <summary>Ends a reservation made with <see cref="ReserveSpace"/>.</summary>
    void ReleaseSpace(long bytes);

    /// <summary>Appends in memory and returns the entry's address; waits (yields) while the in-memory budget is full
    /// and pages are still being flushed.</summary>
    long Append(ReadOnlySpan<byte> entry);

    /// <summary>Appends if the in-memory part has room; false (nothing appended) when it is full. On a log opened
    /// for a single appender, an entry whose failed attempt has already moved the tail past the end-of-page padding
    /// to the next page start is appended anyway, waiting for a page buffer as <see cref="Append"/> does: that
    /// padding is then always followed by the entry that did not fit in it, as the log's exact scan check requires.</summary>
    bool TryAppend(ReadOnlySpan<byte> entry, out long address);

    /// <summary>Like <see cref="Append"/>, but waits asynchronously (instead of spinning) while the in-memory budget
    /// is full. The buffer may be reused once the task completes.</summary>
    ValueTask<long> AppendAsync(ReadOnlyMemory<byte> entry);

    /// <summary>Starts a commit of everything appended so far (the tail is captured before this returns) and
    /// completes once the data is fsynced and the metadata is staged in <see cref="StagedCommit"/>.</summary>
    ValueTask CommitAsync();

    /// <summary>Metadata of the latest completed commit, for the commit slot, and a version that changes with it.</summary>
    (byte[]? Metadata, long Version) StagedCommit { get; }

    /// <summary>Reads the committed entry at <paramref name="address"/>; null if it lies outside
    /// [<see cref="BeginAddress"/>, <see cref="CommittedUntilAddress"/>) or the read failed.</summary>
    ValueTask<byte[]?> ReadAsync(long address, int lengthHint);

    /// <summary>Reads the body of the committed entry at <paramref name="address"/>, exactly
    /// <paramref name="entry"/>.Length bytes, synchronously on the calling thread; false if it lies outside the
    /// committed range, its file is gone (truncated) or the stored length differs. The caller verifies the bytes
    /// (entry CRC).</summary>
    bool TryReadCommitted(long address, Span<byte> entry);

    /// <summary>Reads the raw committed log bytes [<paramref name="address"/>, <paramref name="address"/> +
    /// <paramref name="destination"/>.Length) (entry framing, bodies and any padding between them) straight from the
    /// segment files, synchronously on the calling thread, in one positioned read per segment touched; false if the
    /// range is not inside [<see cref="BeginAddress"/>, <see cref="CommittedUntilAddress"/>) or a file is gone or
    /// short. Entries are then taken out of the bytes with <see cref="EntryBody"/>; the caller verifies them.</summary>
    bool TryReadCommittedRange(long address, Span<byte> destination);

    /// <summary>Bytes from an entry's address to the end of its body: the framing header plus
    /// <paramref name="bodyLength"/>.</summary>
    int FramedLength(int bodyLength);

    /// <summary>The body of the entry whose framing starts at <paramref name="framed"/>[0] (bytes read by
    /// <see cref="TryReadCommittedRange"/> from the entry's address on), if the framing records a body of exactly
    /// <paramref name="bodyLength"/> bytes; otherwise empty.</summary>
    ReadOnlySpan<byte> EntryBody(ReadOnlySpan<byte> framed, int bodyLength);

    /// <summary>Visits committed entries in [from, until) in order. Framing damage is reported as
    /// <see cref="StorageCorruptionException"/>. Returns the address after the last visited entry.</summary>
    long Scan(long from, long until, ILogEntryVisitor visitor);

    /// <summary>Drops entries below <paramref name="address"/> (an entry start or the tail) at the next commit.</summary>
    void TruncateUntil(long address);

    /// <summary>Deletes the files of truncated segments wholly below the begin address recorded in
    /// <paramref name="durableCommit"/>, the metadata (<see cref="StagedCommit"/>) in the commit slot now on disk;
    /// segments at or above it stay queued for a later call. A commit round that staged the old begin address can
    /// complete after a truncation queued segments, so "queued" alone does not mean "no durable commit needs it".</summary>
    /// <param name="durableCommit">The log's metadata in the durable commit slot; null (no commit yet) deletes nothing.</param>
    void ReleaseRemovedSegments(byte[]? durableCommit);

    /// <summary>File and byte offset that hold <paramref name="address"/>, for error messages.</summary>
    (string File, long Offset) Locate(long address);

    /// <summary>Bytes of all segment files of this log.</summary>
    long BytesOnDisk();
}

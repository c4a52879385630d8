namespace VectorDb.Storage.Tests;

/// <summary>
/// Test double around the real codes log whose commits fail with an I/O error once <see cref="Fail"/> is set, as a
/// disk that errors on flush or fsync would (the case disk space reservation cannot prevent). Everything else goes
/// straight to the real log.
/// </summary>
internal sealed class FailingCommitCodesLog(IAppendLog inner) : IAppendLog
{
    private volatile bool _fail;

    /// <summary>From now on every commit fails (after capturing the tail, as a real failed flush would).</summary>
    public void Fail() => _fail = true;

    public ValueTask CommitAsync() =>
        _fail ? ValueTask.FromException(new IOException("Input/output error (injected)")) : inner.CommitAsync();

    public long BeginAddress => inner.BeginAddress;

    public long TailAddress => inner.TailAddress;

    public long CommittedUntilAddress => inner.CommittedUntilAddress;

    public int MaxEntryBytes => inner.MaxEntryBytes;

    public (byte[]? Metadata, long Version) StagedCommit => inner.StagedCommit;

    public long SpaceBound(int bodyLength) => inner.SpaceBound(bodyLength);

    public void ReserveSpace(long bytes) => inner.ReserveSpace(bytes);

    public void ReleaseSpace(long bytes) => inner.ReleaseSpace(bytes);

    public bool TryAppend(ReadOnlySpan<byte> entry, out long address) => inner.TryAppend(entry, out address);

    public long Append(ReadOnlySpan<byte> entry) => inner.Append(entry);

    public ValueTask<long> AppendAsync(ReadOnlyMemory<byte> entry) => inner.AppendAsync(entry);

    public ValueTask<byte[]?> ReadAsync(long address, int lengthHint) => inner.ReadAsync(address, lengthHint);

    public bool TryReadCommitted(long address, Span<byte> entry) => inner.TryReadCommitted(address, entry);

    public bool TryReadCommittedRange(long address, Span<byte> destination) => inner.TryReadCommittedRange(address, destination);

    public int FramedLength(int bodyLength) => inner.FramedLength(bodyLength);

    public ReadOnlySpan<byte> EntryBody(ReadOnlySpan<byte> framed, int bodyLength) => inner.EntryBody(framed, bodyLength);

    public long Scan(long from, long until, ILogEntryVisitor visitor) => inner.Scan(from, until, visitor);

    public void TruncateUntil(long address) => inner.TruncateUntil(address);

    public void ReleaseRemovedSegments(byte[]? durableCommit) => inner.ReleaseRemovedSegments(durableCommit);

    public (string File, long Offset) Locate(long address) => inner.Locate(address);

    public long BytesOnDisk() => inner.BytesOnDisk();

    public void Dispose() => inner.Dispose();
}

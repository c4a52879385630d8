namespace VectorDb.Storage.Tests;

/// <summary>
/// Test double around the real codes log: the <c>refuseAt</c>-th <see cref="IAppendLog.TryAppend"/> call reports
/// "log full" once (as a real log does when its in-memory pages are all unflushed), and the first commit started
/// after that refusal completes only when the test calls <see cref="ReleaseHeldCommit"/>. A writer that hit the
/// refusal waits for exactly that commit round, so the test controls what runs while the writer is parked.
/// Everything else goes straight to the real log.
/// </summary>
internal sealed class RefusingCodesLog(IAppendLog inner, int refuseAt) : IAppendLog
{
    private readonly TaskCompletionSource _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _tryAppends;
    private int _refusals;
    private int _holdNextCommit; // 1 from the refusal until the next commit starts

    /// <summary>Completes (never inline) once the refusal happened.</summary>
    public Task Refused => _refused.Task;

    public int Refusals => Volatile.Read(ref _refusals);

    public void ReleaseHeldCommit() => _release.TrySetResult();

    public bool TryAppend(ReadOnlySpan<byte> entry, out long address)
    {
        if (Interlocked.Increment(ref _tryAppends) == refuseAt)
        {
            Interlocked.Increment(ref _refusals);
            Volatile.Write(ref _holdNextCommit, 1);
            _refused.TrySetResult();
            address = 0;
            return false;
        }
        return inner.TryAppend(entry, out address);
    }

    public ValueTask CommitAsync()
    {
        var commit = inner.CommitAsync(); // the tail is captured now, as the collection expects
        return Interlocked.Exchange(ref _holdNextCommit, 0) == 1 ? HoldAsync(commit) : commit;
    }

    private async ValueTask HoldAsync(ValueTask commit)
    {
        await commit.ConfigureAwait(false);
        await _release.Task.ConfigureAwait(false);
    }

    public long BeginAddress => inner.BeginAddress;

    public long TailAddress => inner.TailAddress;

    public long CommittedUntilAddress => inner.CommittedUntilAddress;

    public int MaxEntryBytes => inner.MaxEntryBytes;

    public (byte[]? Metadata, long Version) StagedCommit => inner.StagedCommit;

    public long SpaceBound(int bodyLength) => inner.SpaceBound(bodyLength);

    public void ReserveSpace(long bytes) => inner.ReserveSpace(bytes);

    public void ReleaseSpace(long bytes) => inner.ReleaseSpace(bytes);

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

using FASTER.core;

namespace VectorDb.Storage.Faster;

/// <summary>
/// FASTER commit manager that does not write commit files itself. On each FASTER commit it fsyncs the log's data
/// (the commit is called only after every page up to the commit tail has been written to the device) and stages
/// the commit metadata in memory. The collection then writes the staged metadata of both of its logs together into
/// one checksummed commit slot (<see cref="Io.CommitSlotFile"/>), so the codes log and the blob log always recover to
/// a matching pair of commits. On open it serves the metadata read back from that slot.
/// </summary>
internal sealed class StagedCommitManager : ILogCommitManager
{
    private readonly SyncedFileDevice _device;
    private readonly Lock _lock = new();
    private byte[]? _metadata;
    private long _commitNum;
    private long _version;

    public StagedCommitManager(SyncedFileDevice device, byte[]? recoveredMetadata)
    {
        _device = device;
        _metadata = recoveredMetadata;
        if (recoveredMetadata is not null)
            _commitNum = ReadCommitNum(recoveredMetadata);
    }

    /// <summary>Latest staged metadata (null before the first commit of a new log) and a counter that changes
    /// whenever it does.</summary>
    public (byte[]? Metadata, long Version) Staged
    {
        get { lock (_lock) return (_metadata, _version); }
    }

    public void Commit(long beginAddress, long untilAddress, byte[] commitMetadata, long commitNum, bool forceWriteMetadata)
    {
        _device.FlushToDisk();
        lock (_lock)
        {
            _metadata = commitMetadata;
            _commitNum = commitNum;
            _version++;
        }
    }

    public byte[]? GetCommitMetadata(long commitNum)
    {
        lock (_lock) return _metadata is not null && commitNum == _commitNum ? _metadata : null;
    }

    public IEnumerable<long> ListCommits()
    {
        lock (_lock) return _metadata is null ? [] : [_commitNum];
    }

    public void RemoveCommit(long commitNum) { }

    public void RemoveAllCommits() { }

    public void OnRecovery(long commitNum) { }

    public void Dispose() { }

    /// <summary>Begin and until addresses recorded in FASTER commit metadata.</summary>
    public static (long Begin, long Until, long CommitNum) Describe(byte[] metadata)
    {
        var info = new FasterLogRecoveryInfo();
        using var reader = new BinaryReader(new MemoryStream(metadata));
        info.Initialize(reader);
        return (info.BeginAddress, info.UntilAddress, info.CommitNum);
    }

    private static long ReadCommitNum(byte[] metadata) => Describe(metadata).CommitNum;
}

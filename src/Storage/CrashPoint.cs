namespace VectorDb.Storage;

/// <summary>
/// Named points inside ingest, commit rounds (checkpoints), compaction and catalogue create/drop at which
/// <see cref="StorageOptions.CrashPointForTests"/> is called.
/// <para>Why they exist: the crash tests must kill a process inside a given operation, every round. A kill armed by
/// a timer or by output markers lands wherever the process happens to be when the signal arrives (on a loaded machine
/// often after the operation finished). With these points a test child parks the thread at the n-th visit of one
/// point, prints a marker, and the test kills it there: the crash is inside the operation by construction. With the
/// hook unset (production) each point costs one null check and changes nothing.</para>
/// No point is reached under a collection's location lock (drop's points are under the catalogue's lock).
/// </summary>
internal static class CrashPoint
{
    /// <summary>An upsert batch is appended to both logs' memory: not durable, not acknowledged.</summary>
    public const string UpsertAppended = "upsert.appended";

    /// <summary>A delete batch (at least one id existed) is appended: not durable, not acknowledged.</summary>
    public const string DeleteAppended = "delete.appended";

    /// <summary>Commit round: the blob log's commit is done (data fsynced, metadata staged); the codes log's may not
    /// be; the commit slot still names the previous commit.</summary>
    public const string CommitBlobsFlushed = "commit.blobs-flushed";

    /// <summary>Commit round: both logs fsynced and staged; the commit slot not yet written.</summary>
    public const string CommitLogsFlushed = "commit.logs-flushed";

    /// <summary>Commit round: the commit slot is written and fsynced; the round's waiters are not yet released.</summary>
    public const string CommitSlotWritten = "commit.slot-written";

    /// <summary>Compaction: one chunk of live entries is copied to the tail and indexed; the copies are not durable.</summary>
    public const string CompactionChunkCopied = "compaction.chunk-copied";

    /// <summary>Compaction: a chunk's copies are durable; the old entries are still in place.</summary>
    public const string CompactionChunkCommitted = "compaction.chunk-committed";

    /// <summary>Compaction: both logs are truncated in memory; the new begin addresses are not durable.</summary>
    public const string CompactionTruncated = "compaction.truncated";

    /// <summary>Compaction: the truncation is durable; deleting the old segment files may still be running.</summary>
    public const string CompactionCommitted = "compaction.committed";

    /// <summary>Create: the staging directory holds every metadata file; not yet renamed into place.</summary>
    public const string CreateStaged = "create.staged";

    /// <summary>Create: renamed into place; the catalogue directory not yet fsynced.</summary>
    public const string CreateMoved = "create.moved";

    /// <summary>Drop: renamed away to a dropping directory; the catalogue directory not yet fsynced.</summary>
    public const string DropMoved = "drop.moved";

    /// <summary>Drop: the rename is durable; the files are not yet deleted.</summary>
    public const string DropSynced = "drop.synced";

    /// <summary>Calls the hook of <paramref name="options"/>, if any, at <paramref name="point"/>.</summary>
    public static void Reach(StorageOptions options, string point) => options.CrashPointForTests?.Invoke(point);
}

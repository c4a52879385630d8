namespace VectorDb.Storage;

/// <summary>
/// A commit round of the collection failed (an I/O error while flushing or syncing its logs, after the write had
/// been applied in memory). Writes acknowledged before the failure are durable; what was applied after the last
/// durable commit may or may not be on disk, so the collection refuses every call, reads included, until it is
/// reopened (restart the server), which recovers exactly its last durable commit.
/// </summary>
public sealed class CollectionFaultedException(string collection, Exception cause)
    : InvalidOperationException(
        $"Collection '{collection}' stopped after a failed commit ({cause.GetType().Name}: {cause.Message}). Writes " +
        "acknowledged before the failure are durable; the collection refuses every call until it is reopened: fix the " +
        "cause (e.g. free disk space), then restart the server.", cause)
{
    /// <summary>Name of the faulted collection.</summary>
    public string Collection { get; } = collection;
}

/// <summary>The collection is already open, in this or another process (its lock file is held). Not damage: the
/// data directory is in use.</summary>
public sealed class CollectionLockedException(string collection, Exception cause)
    : InvalidOperationException($"Collection '{collection}' is already open (in this or another process); close it first.", cause)
{
    /// <summary>Name of the locked collection.</summary>
    public string Collection { get; } = collection;
}

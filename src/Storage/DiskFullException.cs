namespace VectorDb.Storage;

/// <summary>
/// The volume holding a collection has no room for a write. Disk space is reserved (allocated in the segment files)
/// before any entry of a write is appended, so a refused write changed nothing: none of its points is visible, and
/// nothing of it was acknowledged. The collection keeps serving reads, and accepts writes again as soon as space is
/// freed (no reopen or restart needed).
/// </summary>
public sealed class DiskFullException : IOException
{
    /// <summary>Linux errno for "No space left on device".</summary>
    internal const int ENOSPC = 28;

    /// <summary>Linux errno for "Disk quota exceeded".</summary>
    internal const int EDQUOT = 122;

    public DiskFullException(string collectionDirectory, long bytesNeeded)
        : base($"No space left on the disk of '{collectionDirectory}' (it needed {bytesNeeded} more bytes): the write was " +
               "refused and nothing of it was stored. Free disk space and retry; the collection accepts writes again " +
               "without a restart.")
    {
        Directory = collectionDirectory;
        BytesNeeded = bytesNeeded;
        HResult = ENOSPC;
    }

    /// <summary>Directory of the collection whose write was refused.</summary>
    public string Directory { get; }

    /// <summary>Bytes the refused reservation asked for.</summary>
    public long BytesNeeded { get; }
}

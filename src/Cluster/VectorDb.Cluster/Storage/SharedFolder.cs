namespace VectorDb.Cluster.Storage;

/// <summary>
/// What the one-machine providers (file grain storage, file membership table) share: an exclusive lock file per
/// folder, held across processes (an OS file lock, released by the kernel when its holder dies, even by kill -9), and
/// atomic file replacement (temp file, flush to disk, rename).
/// </summary>
internal static class SharedFolder
{
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    /// <summary>Holds <paramref name="lockName"/> in <paramref name="directory"/> exclusively (other holders are waited
    /// for, up to 10 s, then the IOException surfaces).</summary>
    public static async Task<FileStream> LockAsync(string directory, string lockName, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, lockName);
        var deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(5, cancellationToken);
            }
        }
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="parts"/>, atomically and durably.</summary>
    public static void WriteAtomically(string path, params ReadOnlySpan<byte[]> parts)
    {
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var part in parts)
            {
                stream.Write(part);
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}

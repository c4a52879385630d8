namespace VectorDb.Storage;

/// <summary>
/// Fault injection for tests only (<see cref="StorageOptions.DiskSpaceForTests"/>): a simulated amount of free disk
/// space, in bytes, shared by every log of every collection opened with those options. Each new allocation of log
/// space takes from it and fails as a full disk does (ENOSPC) when it would go below zero; a test "frees space" by
/// raising <see cref="Available"/>.
/// </summary>
internal sealed class DiskSpaceBudget(long available)
{
    private long _available = available;

    /// <summary>Bytes that can still be allocated.</summary>
    public long Available
    {
        get => Interlocked.Read(ref _available);
        set => Interlocked.Exchange(ref _available, value);
    }

    /// <summary>Takes <paramref name="bytes"/> if that many are available; false (nothing taken) otherwise.</summary>
    public bool TryTake(long bytes)
    {
        while (true)
        {
            long before = Interlocked.Read(ref _available);
            if (before < bytes)
                return false;
            if (Interlocked.CompareExchange(ref _available, before - bytes, before) == before)
                return true;
        }
    }
}

namespace VectorDb.Storage;

public sealed partial class StoredCollection
{
    private readonly CancellationTokenSource _stopCompaction = new();
    private readonly Task? _compactionLoop;

    private async Task RunBackgroundCompactionAsync()
    {
        await Task.Yield();
    }
}

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using VectorDb.Storage;

namespace VectorDb.Benchmarks.Storage;

/// <summary>
/// Recovery: open a collection of <see cref="Points"/> points (d = 768, 4 bits, float32 originals kept) and
/// enumerate every live point's codes, as the engine does to rebuild its scan structures. The collection is built
/// once (GlobalSetup); the OS page cache is warm, as after a process restart (not after a reboot).
/// Run: dotnet run -c Release --project bench/VectorDb.Benchmarks -- --filter '*StorageRecovery*'
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class StorageRecoveryBenchmarks
{
    private string _root = "";
    private CollectionCatalogue? _store;

    [Params(250_000, 1_000_000)]
    public int Points { get; set; }

    [GlobalSetup]
    public void Build()
    {
        _root = Path.Combine(Path.GetTempPath(), $"vdb-bench-recovery-{Guid.NewGuid():N}");
        _store = CollectionCatalogue.Open(_root, StorageRecords.Options);
        using var collection = _store.CreateCollection("bench", StorageRecords.Manifest);
        const int Chunk = 50_000;
        for (int first = 0; first < Points; first += Chunk)
        {
            var batches = StorageRecords.Batches((ulong)first, Math.Min(Chunk, Points - first), 256, seed: (ulong)first + 1);
            StorageRecords.IngestAsync(collection, batches, writers: 4, wait: false).GetAwaiter().GetResult();
        }
        var stats = collection.GetStatistics();
        Console.WriteLine($"// built {stats.LivePoints} points, {stats.BytesOnDisk / (double)stats.LivePoints:F0} bytes on disk per point");
    }

    [Benchmark]
    public long OpenAndEnumerateCodes()
    {
        using var collection = _store!.OpenCollection("bench");
        long count = 0, checksum = 0;
        collection.ForEachLiveAsync((id, _, codes) =>
        {
            count++;
            checksum += codes[0];
        }).GetAwaiter().GetResult();
        if (count != Points)
            throw new InvalidOperationException($"recovered {count} of {Points} points");
        return checksum;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}

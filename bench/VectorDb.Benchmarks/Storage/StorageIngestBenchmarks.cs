using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using VectorDb.Storage;

namespace VectorDb.Benchmarks.Storage;

/// <summary>
/// Durable ingest at d = 768, 4 bits (392 B codes + 3072 B float32 original per point), batches of 256, with
/// <see cref="Writers"/> concurrent writers. Wait = true acknowledges each batch after its group commit (fsync);
/// Wait = false after the in-memory append. One operation = <see cref="Points"/> points into a fresh collection.
/// Run: dotnet run -c Release --project bench/VectorDb.Benchmarks -- --filter '*StorageIngest*'
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StorageIngestBenchmarks
{
    private const int BatchSize = 256;
    private PointWrite[][] _batches = [];
    private string _root = "";
    private CollectionCatalogue? _store;
    private StoredCollection? _collection;

    [Params(100_000)]
    public int Points { get; set; }

    [Params(1, 4)]
    public int Writers { get; set; }

    [Params(true, false)]
    public bool Wait { get; set; }

    [GlobalSetup]
    public void Setup() => _batches = StorageRecords.Batches(0, Points, BatchSize, seed: 5);

    [IterationSetup]
    public void CreateCollection()
    {
        _root = Path.Combine(Path.GetTempPath(), $"vdb-bench-ingest-{Guid.NewGuid():N}");
        _store = CollectionCatalogue.Open(_root, StorageRecords.Options);
        _collection = _store.CreateCollection("bench", StorageRecords.Manifest);
    }

    [Benchmark]
    public void Ingest() => StorageRecords.IngestAsync(_collection!, _batches, Writers, Wait).GetAwaiter().GetResult();

    [IterationCleanup]
    public void DropCollection()
    {
        _collection!.Dispose();
        _store!.DropCollection("bench");
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}

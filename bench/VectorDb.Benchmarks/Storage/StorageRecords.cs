using VectorDb.Index.Common;
using VectorDb.Storage;

namespace VectorDb.Benchmarks.Storage;

/// <summary>
/// Records of realistic size for d = 768 at 4 bits: 392 code bytes (384 packed 4-bit codes + 8 bytes of per-vector
/// metadata) and a 3072-byte float32 original. Contents are seeded noise: storage treats them as opaque bytes, so
/// their values do not change the cost. Correctness of the store is tested in tests/VectorDb.Storage.Tests.
/// </summary>
internal static class StorageRecords
{
    public const int Dimension = 768;
    public const int CodeBytes = 392;

    public static CollectionManifest Manifest => new()
    {
        Dimension = Dimension,
        Metric = "Cosine",
        Scheme = "TurboQuant",
        Bits = 4,
        RotationSeed = 1,
        RotationRounds = 3,
        CodebookId = "bench",
        CodeLayoutVersion = 1,
        CodeBytesPerVector = CodeBytes,
        OriginalFormat = OriginalsFormat.Float32,
        MaxPayloadBytes = 1024,
    };

    /// <summary>Options as a server would run: default memory budgets, no background compaction during ingest.</summary>
    public static StorageOptions Options => new() { BackgroundCompactionGarbageRatio = null };

    /// <summary><paramref name="count"/> points with ids from <paramref name="firstId"/>, in batches.</summary>
    public static PointWrite[][] Batches(ulong firstId, int count, int batchSize, ulong seed)
    {
        var rng = new SplitMix64(seed);
        // A small pool of distinct byte arrays, reused: generating gigabytes of noise would dominate setup time.
        var codes = new byte[64][];
        var originals = new byte[64][];
        for (int i = 0; i < 64; i++)
        {
            codes[i] = new byte[CodeBytes];
            originals[i] = new byte[Dimension * 4];
            for (int b = 0; b < CodeBytes; b++) codes[i][b] = (byte)rng.NextUInt64();
            for (int b = 0; b < originals[i].Length; b++) originals[i][b] = (byte)rng.NextUInt64();
        }
        var batches = new PointWrite[(count + batchSize - 1) / batchSize][];
        for (int b = 0; b < batches.Length; b++)
        {
            int n = Math.Min(batchSize, count - (b * batchSize));
            batches[b] = new PointWrite[n];
            for (int i = 0; i < n; i++)
            {
                ulong id = firstId + (ulong)((b * batchSize) + i);
                batches[b][i] = new PointWrite(id, codes[(int)(id % 64)], originals[(int)((id / 64) % 64)]);
            }
        }
        return batches;
    }

    /// <summary>Upserts all batches with <paramref name="writers"/> concurrent writers (each awaits its own batch).</summary>
    public static async Task IngestAsync(StoredCollection collection, PointWrite[][] batches, int writers, bool wait)
    {
        int next = -1;
        var tasks = new Task[writers];
        for (int w = 0; w < writers; w++)
        {
            tasks[w] = Task.Run(async () =>
            {
                int b;
                while ((b = Interlocked.Increment(ref next)) < batches.Length)
                    await collection.UpsertAsync(batches[b], wait);
            });
        }
        await Task.WhenAll(tasks);
        await collection.FlushAsync(); // both modes end durable, so the comparison is about acknowledgement only
    }
}

using VectorDb.Index.Rerank;
using VectorDb.Storage;

namespace VectorDb;

/// <summary>Options of one opened database. None are persisted; they may change between opens.</summary>
public sealed record DatabaseOptions
{
    /// <summary>Tuning of the durable storage layer (log memory, commit interval, compaction).</summary>
    internal StorageOptions Storage { get; init; } = new();

    /// <summary>Request limits.</summary>
    public EngineLimits Limits { get; init; } = new();

    /// <summary>An IVF collection starts training its lists in the background once it holds this many points (and
    /// again on open); it scans flat until they are in.</summary>
    public int IvfTrainingThreshold { get; init; } = VectorDb.Index.Search.VectorIndexOptions.FlatBelowVectors;

    /// <summary>A flat collection with centred codes (format 2) trains residual code lists in the background once it
    /// holds this many points (and again on open): k-means centroids its codes become residuals to, every list still
    /// scanned by every search, so only the codes' precision changes (docs/codec.md "Residual code lists"). 0 = never.</summary>
    public int CodeListsThreshold { get; init; } = VectorDb.Index.Search.VectorIndexOptions.CodeListsFromVectors;

    /// <summary>Threads used by one search batch (queries run in parallel; each query is single-threaded).</summary>
    public int SearchBatchThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Builds each collection's exact re-scorer over its originals when the collection is opened or
    /// created; null = the CPU SIMD <see cref="ExactScorer"/>. The hook that lets a host put re-scoring on a GPU
    /// (the server sets it from <c>--gpu</c> with VectorDb.Gpu's ExactScorerFactory) without the engine referencing
    /// ILGPU. The collection's index disposes what it returns when that is <see cref="IDisposable"/>.</summary>
    public Func<OriginalVectorStore, Metric, IExactScorer>? ExactScorerFactory { get; init; }

    /// <summary>Bytes of memory one collection may hold for full-precision originals (re-ranking). A collection whose
    /// originals would exceed it keeps none in memory: re-ranking then reads the candidates' originals from the
    /// storage's blob log in batches (the OS page cache and the log's in-memory pages,
    /// <see cref="StorageOptions.BlobLogMemoryBytes"/>, answer hot ones). Results are identical either way; only
    /// re-ranking speed differs. 0 = always read originals from storage. Default 1 GiB (about 350k float32
    /// originals at d = 768).</summary>
    public long OriginalsMemoryBytes { get; init; } = 1L << 30;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Storage);
        ArgumentNullException.ThrowIfNull(Limits);
        Limits.Validate();
        if (IvfTrainingThreshold < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(IvfTrainingThreshold), IvfTrainingThreshold, "must be at least 1.");
        }
        if (CodeListsThreshold < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CodeListsThreshold), CodeListsThreshold, "must be at least 0 (0 = never).");
        }
        if (SearchBatchThreads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SearchBatchThreads), SearchBatchThreads, "must be at least 1.");
        }
        if (OriginalsMemoryBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(OriginalsMemoryBytes), OriginalsMemoryBytes, "must be at least 0 (0 = originals always read from storage).");
        }
    }
}

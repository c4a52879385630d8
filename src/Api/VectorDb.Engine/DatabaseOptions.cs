using VectorDb.Storage;

namespace VectorDb.Engine;

/// <summary>Options of one opened database. None are persisted; they may change between opens.</summary>
public sealed record DatabaseOptions
{
    /// <summary>Tuning of the durable storage layer (log memory, commit interval, compaction).</summary>
    public StorageOptions Storage { get; init; } = new();

    /// <summary>Request limits.</summary>
    public EngineLimits Limits { get; init; } = new();

    /// <summary>An IVF collection trains its lists once it holds this many points (and again on open).</summary>
    public int IvfTrainingThreshold { get; init; } = VectorDb.Index.Search.VectorIndexOptions.FlatBelowVectors;

    /// <summary>Threads used by one search batch (queries run in parallel; each query is single-threaded).</summary>
    public int SearchBatchThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Points read concurrently from storage while a collection is rebuilt on open.</summary>
    public int RebuildReadConcurrency { get; init; } = 256;

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
        if (SearchBatchThreads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SearchBatchThreads), SearchBatchThreads, "must be at least 1.");
        }
        if (RebuildReadConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RebuildReadConcurrency), RebuildReadConcurrency, "must be at least 1.");
        }
    }
}

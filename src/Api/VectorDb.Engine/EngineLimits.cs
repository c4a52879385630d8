namespace VectorDb;

/// <summary>
/// Upper bounds on what one request may ask for. They protect the process (memory, latency of other callers), not the
/// data format: raising them never changes stored bytes. Exceeding one raises <see cref="LimitExceededException"/>
/// naming the limit and the value given.
/// </summary>
public sealed record EngineLimits
{
    /// <summary>Largest vector dimension a new collection may have.</summary>
    public int MaxDimension { get; init; } = 65_536;

    /// <summary>Most points in one upsert batch (or one streamed message).</summary>
    public int MaxBatchSize { get; init; } = 10_000;

    /// <summary>Largest k (limit) of one search.</summary>
    public int MaxK { get; init; } = 10_000;

    /// <summary>Most queries in one search batch.</summary>
    public int MaxSearchBatch { get; init; } = 1_000;

    /// <summary>Largest payload per point, as UTF-8 JSON bytes (persisted per collection when it is created).</summary>
    public int MaxPayloadBytes { get; init; } = 64 * 1024;

    /// <summary>Most ids in one get or delete-by-ids call.</summary>
    public int MaxIdsPerCall { get; init; } = 100_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first non-positive limit.</summary>
    public void Validate()
    {
        Positive(MaxDimension, nameof(MaxDimension));
        Positive(MaxBatchSize, nameof(MaxBatchSize));
        Positive(MaxK, nameof(MaxK));
        Positive(MaxSearchBatch, nameof(MaxSearchBatch));
        Positive(MaxPayloadBytes, nameof(MaxPayloadBytes));
        Positive(MaxIdsPerCall, nameof(MaxIdsPerCall));
    }

    /// <summary>
    /// Refuses a request list that is empty (<see cref="ArgumentException"/> with <paramref name="emptyMessage"/>) or
    /// longer than <paramref name="limit"/> (<see cref="LimitExceededException"/>: "{count} {items} exceed the limit
    /// of {limit}; split the {whole}.").
    /// </summary>
    /// <param name="count">Entries in the list.</param>
    /// <param name="limit">The most it may hold.</param>
    /// <param name="emptyMessage">The message for an empty list.</param>
    /// <param name="items">What the entries are, and where, e.g. "ids in one get".</param>
    /// <param name="whole">What to split, e.g. "call" or "batch".</param>
    /// <param name="parameter">The parameter the list came in.</param>
    internal static void CheckCount(int count, int limit, string emptyMessage, string items, string whole, string parameter)
    {
        if (count == 0)
        {
            throw new ArgumentException(emptyMessage, parameter);
        }
        if (count > limit)
        {
            throw new LimitExceededException($"{count} {items} exceed the limit of {limit}; split the {whole}.", parameter);
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
        }
    }
}

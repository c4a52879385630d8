namespace VectorDb.Cluster.Contracts;

/// <summary>A write carried an epoch older than the shard's: it came from a primary that has been replaced (or the
/// caller's map is stale). Nothing was applied.</summary>
[GenerateSerializer]
public sealed class StaleEpochException : Exception
{
    public StaleEpochException() { }

    public StaleEpochException(string message) : base(message) { }

    public StaleEpochException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A replica cannot apply a shipped write because it does not hold every write before it (a gap, a restart
/// or a full sync in progress). Nothing was applied; the primary removes it from the in-sync set.</summary>
[GenerateSerializer]
public sealed class ReplicaOutOfSyncException : Exception
{
    public ReplicaOutOfSyncException() { }

    public ReplicaOutOfSyncException(string message) : base(message) { }

    public ReplicaOutOfSyncException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Some shards have no replica that answered, and the search did not allow partial results.</summary>
[GenerateSerializer]
public sealed class ShardsUnavailableException : Exception
{
    public ShardsUnavailableException() { }

    public ShardsUnavailableException(string message) : base(message) { }

    public ShardsUnavailableException(string message, Exception inner) : base(message, inner) { }

    public ShardsUnavailableException(IReadOnlyList<int> shards)
        : base($"no replica of shard(s) {string.Join(", ", shards)} answered; retry, or allow partial results.") =>
        Shards = [.. shards];

    [Id(0)]
    public int[] Shards { get; init; } = [];
}

/// <summary>No clustered collection has this name (a <see cref="KeyNotFoundException"/>, as the engine's own
/// collection-not-found, so the API answers NotFound).</summary>
[GenerateSerializer]
public sealed class ClusterCollectionNotFoundException : KeyNotFoundException
{
    public ClusterCollectionNotFoundException() { }

    public ClusterCollectionNotFoundException(string message) : base(message) { }

    public ClusterCollectionNotFoundException(string message, Exception inner) : base(message, inner) { }
}

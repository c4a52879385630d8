namespace VectorDb;

/// <summary>The named collection does not exist (or was dropped while the call was waiting).</summary>
public sealed class CollectionNotFoundException(string collection)
    : KeyNotFoundException($"Collection '{collection}' does not exist; create it first or check the name (names are case-sensitive).")
{
    public string Collection { get; } = collection;
}

/// <summary>A collection with this name already exists.</summary>
public sealed class CollectionAlreadyExistsException(string collection)
    : InvalidOperationException($"Collection '{collection}' already exists; drop it first or choose another name.")
{
    public string Collection { get; } = collection;
}

/// <summary>One or more requested point ids are not in the collection.</summary>
public sealed class PointNotFoundException(string collection, IReadOnlyList<PointId> missing)
    : KeyNotFoundException($"Collection '{collection}' has no point with id {Describe(missing)}; upsert it first or check the id.")
{
    public string Collection { get; } = collection;

    public IReadOnlyList<PointId> Missing { get; } = missing;

    private static string Describe(IReadOnlyList<PointId> ids) =>
        ids.Count <= 8 ? string.Join(", ", ids) : string.Join(", ", ids.Take(8)) + $" (and {ids.Count - 8} more)";
}

/// <summary>A request exceeds one of the configured <see cref="EngineLimits"/> (batch size, k, dimension, payload).
/// Derives from <see cref="ArgumentException"/>: the caller must change the request.</summary>
public sealed class LimitExceededException(string message, string? paramName = null) : ArgumentException(message, paramName);

/// <summary>The collection could not be opened when the database was opened (damaged or unreadable files, an unknown
/// format version, files that belong to another collection, ...). The other collections are served; this one is
/// refused until an operator salvages or drops it (docs/api.md, "Damaged collections").</summary>
public sealed class CollectionDamagedException(string collection, string reason, Exception? cause = null)
    : IOException($"Collection '{collection}' is damaged and is not served: {reason} Salvage it with the server " +
                  $"stopped (vectordb salvage {collection} --data-dir <dir>) or drop it (vectordb drop {collection}); " +
                  "see docs/api.md, 'Damaged collections'.", cause)
{
    public string Collection { get; } = collection;

    /// <summary>Why the collection could not be opened.</summary>
    public string Reason { get; } = reason;
}

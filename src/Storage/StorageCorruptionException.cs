namespace VectorDb.Storage;

/// <summary>
/// Stored bytes failed an integrity check (checksum, framing, sequence gap, truncated file). The store refuses to
/// open or to return the affected record rather than serve wrong data. <see cref="FilePath"/> and
/// <see cref="Offset"/> locate the damage; <c>docs/storage.md</c> ("Repair and salvage") describes how to recover
/// every intact record with <see cref="CollectionSalvage"/>.
/// </summary>
public sealed class StorageCorruptionException : IOException
{
    public StorageCorruptionException(string filePath, long offset, string problem)
        : base($"Storage corruption in '{filePath}' at byte offset {offset}: {problem}. " +
               "The collection was not opened (or the record not returned) to avoid serving wrong data; " +
               "see docs/storage.md, 'Repair and salvage'.")
    {
        FilePath = filePath;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>File that holds the damaged bytes.</summary>
    public string FilePath { get; }

    /// <summary>Byte offset of the damaged entry inside <see cref="FilePath"/>.</summary>
    public long Offset { get; }

    /// <summary>What check failed, without the file and offset.</summary>
    public string Problem { get; }
}

/// <summary>
/// A collection was opened with settings (dimension, scheme, bits, rotation, ...) that differ from its persisted
/// manifest. Nothing was changed on disk.
/// </summary>
public sealed class CollectionMismatchException : InvalidOperationException
{
    public CollectionMismatchException(string collection, string field, string stored, string requested)
        : base($"Collection '{collection}' was created with {field} = {stored} but was opened with {field} = " +
               $"{requested}. Open it with its stored manifest (CollectionCatalogue.ReadManifest) or create a new collection.")
    {
        Collection = collection;
        Field = field;
    }

    public string Collection { get; }

    /// <summary>Name of the first manifest field that differs.</summary>
    public string Field { get; }
}

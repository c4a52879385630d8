using VectorDb.Storage.Io;

namespace VectorDb.Storage;

public sealed partial class StoredCollection
{
    /// <summary>
    /// The collection's persisted code centre, or null when none has been fixed yet (<see cref="WriteCentre"/>).
    /// </summary>
    /// <exception cref="StorageCorruptionException">The file is damaged, or its dimension or values do not fit this
    /// collection.</exception>
    public float[]? ReadCentre()
    {
        if (!CentreFile.Exists(Directory))
        {
            return null;
        }
        StoredCentre stored = CentreFile.Read(Directory);
        string path = Path.Combine(Directory, CentreFile.FileName);
        if (stored.Dimension != Manifest.Dimension || stored.Vector is null || stored.Vector.Length != Manifest.Dimension)
        {
            throw new StorageCorruptionException(path, 0,
                $"the centre file holds {stored.Vector?.Length ?? 0} coordinates (dimension field {stored.Dimension}); the collection has dimension {Manifest.Dimension}");
        }
        if (stored.CollectionId != Manifest.CollectionId)
        {
            throw new StorageCorruptionException(path, 0,
                $"the centre file belongs to collection {stored.CollectionId ?? "(none)"}, the manifest to {Manifest.CollectionId ?? "(none)"}: it was copied from another collection");
        }
        if (Array.Exists(stored.Vector, v => !float.IsFinite(v)))
        {
            throw new StorageCorruptionException(path, 0, "the centre file holds a non-finite coordinate");
        }
        return stored.Vector;
    }

    /// <summary>
    /// Persists the collection's code centre, durably (temp file, fsync, rename, directory fsync), once: a caller
    /// writes it before any record encoded against it.
    /// </summary>
    /// <exception cref="InvalidOperationException">A centre is stored already.</exception>
    public void WriteCentre(ReadOnlySpan<float> centre)
    {
        if (centre.Length != Manifest.Dimension)
        {
            throw new ArgumentException($"the centre has {centre.Length} coordinates; the collection has dimension {Manifest.Dimension}.", nameof(centre));
        }
        if (CentreFile.Exists(Directory))
        {
            throw new InvalidOperationException($"collection '{Name}' has a centre already; it is fixed once.");
        }
        CentreFile.Write(Directory, new StoredCentre(centre.Length, centre.ToArray(), Manifest.CollectionId));
    }

    /// <summary>The persisted IVF list centroids (row-major), or null when none were written.</summary>
    /// <exception cref="StorageCorruptionException">The file is damaged or does not fit this collection.</exception>
    public (int Lists, float[] Centroids)? ReadIvfCentroids() => ReadCentroids(IvfCentroidsFile.FileName);

    /// <summary>The persisted residual code list centroids of a flat scan (row-major), or null when none were written.</summary>
    /// <exception cref="StorageCorruptionException">The file is damaged or does not fit this collection.</exception>
    public (int Lists, float[] Centroids)? ReadCodeListCentroids() => ReadCentroids(IvfCentroidsFile.CodeListsFileName);

    /// <summary>Persists trained IVF list centroids durably (replacing any earlier ones).</summary>
    public void WriteIvfCentroids(int lists, ReadOnlySpan<float> centroids) => WriteCentroids(IvfCentroidsFile.FileName, lists, centroids);

    /// <summary>Persists a flat scan's residual code list centroids durably (replacing any earlier ones).</summary>
    public void WriteCodeListCentroids(int lists, ReadOnlySpan<float> centroids) =>
        WriteCentroids(IvfCentroidsFile.CodeListsFileName, lists, centroids);

    private (int Lists, float[] Centroids)? ReadCentroids(string fileName) =>
        IvfCentroidsFile.Exists(Directory, fileName) ? IvfCentroidsFile.Read(Directory, fileName, Manifest.Dimension, Manifest.CollectionId) : null;

    private void WriteCentroids(string fileName, int lists, ReadOnlySpan<float> centroids)
    {
        if (lists < 1 || centroids.Length != lists * Manifest.Dimension)
        {
            throw new ArgumentException($"{centroids.Length} floats are not {lists} centroids of dimension {Manifest.Dimension}.", nameof(centroids));
        }
        IvfCentroidsFile.Write(Directory, fileName, lists, Manifest.Dimension, centroids, Manifest.CollectionId);
    }
}

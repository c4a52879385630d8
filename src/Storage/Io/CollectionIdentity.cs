namespace VectorDb.Storage.Io;

/// <summary>
/// What binds a collection's metadata files together: its random identity and the manifest fields that define its
/// stored bytes. Written into <c>logs.vdb</c> (version 2) at creation and compared with <c>manifest.vdb</c> at every
/// open, so a manifest copied from another collection (other seed, bits, dimension, ...) is refused with a message
/// that names both identities instead of serving wrong neighbours or failing deep in a decoder.
/// WARNING: baked into every logs.vdb of version 2; add fields only as optional (null in older files).
/// </summary>
internal sealed record CollectionIdentity(string CollectionId, int Dimension, string Metric, string Scheme, int Bits,
    ulong RotationSeed, int RotationRounds, string CodebookId, int CodeLayoutVersion, int CodeBytesPerVector,
    OriginalsFormat OriginalFormat, int MaxPayloadBytes)
{
    public static CollectionIdentity Of(CollectionManifest manifest) => new(
        manifest.CollectionId ?? throw new ArgumentException("The manifest has no collection identity.", nameof(manifest)),
        manifest.Dimension, manifest.Metric, manifest.Scheme, manifest.Bits, manifest.RotationSeed, manifest.RotationRounds,
        manifest.CodebookId, manifest.CodeLayoutVersion, manifest.CodeBytesPerVector, manifest.OriginalFormat, manifest.MaxPayloadBytes);

    /// <summary>Throws <see cref="StorageCorruptionException"/> (on <c>manifest.vdb</c>) unless
    /// <paramref name="manifest"/> belongs to the collection whose <c>logs.vdb</c> is <paramref name="layout"/>.
    /// Collections created before identities existed (manifest version 1, logs.vdb version 1) have nothing to
    /// compare and are accepted; a mix of the two generations is refused.</summary>
    public static void Verify(string directory, CollectionManifest manifest, LogLayout layout)
    {
        var path = Path.Combine(directory, ManifestFile.FileName);
        var stored = layout.Identity;
        if (stored is null && manifest.CollectionId is null)
            return; // both files predate identities
        if (stored is null)
            throw Mismatch(path, $"the manifest belongs to collection {manifest.CollectionId} but {LogLayoutFile.FileName} " +
                "has no identity (version 1, an older collection)");
        if (manifest.CollectionId is null)
            throw Mismatch(path, $"the manifest has no identity (version 1, an older collection) but {LogLayoutFile.FileName} " +
                $"belongs to collection {stored.CollectionId}");
        var actual = Of(manifest);
        if (actual != stored)
            throw Mismatch(path, $"the manifest ({Describe(actual)}) does not belong to this collection, whose " +
                $"{LogLayoutFile.FileName} records {Describe(stored)}");
    }

    private static StorageCorruptionException Mismatch(string path, string problem) =>
        new(path, 0, problem + "; a metadata file was copied from another collection or replaced. Put the collection's own file back, " +
            "or salvage or drop the collection");

    private static string Describe(CollectionIdentity id) =>
        $"collection {id.CollectionId}, dimension {id.Dimension}, {id.Metric}, {id.Scheme}, {id.Bits} bits, rotation seed " +
        $"{id.RotationSeed}, code layout {id.CodeLayoutVersion}, {id.CodeBytesPerVector} code bytes, {id.OriginalFormat} originals";
}

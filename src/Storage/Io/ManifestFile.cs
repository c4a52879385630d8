using System.Text.Json;
using System.Text.Json.Serialization;

namespace VectorDb.Storage.Io;

/// <summary>
/// Reads and writes <c>manifest.vdb</c>: <c>"VDBMANIF" | u32 envelope version | i32 JSON length | UTF-8 JSON of
/// <see cref="CollectionManifest"/> | u32 CRC-32C of all preceding bytes</c> (a <see cref="JsonEnvelope"/>).
/// Version 2 (written since 2026-12) carries <see cref="CollectionManifest.CollectionId"/>, which binds the file to
/// its collection's other files; version 1 (read, never written) has none.
/// Written once, atomically (temp file, fsync, rename, directory fsync). WARNING: the envelope is baked into every
/// collection on disk.
/// </summary>
internal static class ManifestFile
{
    public const string FileName = "manifest.vdb";

    private static readonly JsonEnvelope Envelope = new(FileName, "manifest", Magic: 0x46494E414D424456, // "VDBMANIF"
        Version: 2, OldestReadableVersion: 1, Json: new JsonSerializerOptions
        {
            WriteIndented = true,
            Converters = { new JsonStringEnumConverter() },
        });

    public static void Write(string directory, CollectionManifest manifest) =>
        ChecksummedJsonFile.Write(directory, Envelope, manifest);

    /// <summary>Reads and verifies the manifest; damage is a <see cref="StorageCorruptionException"/>, an unknown
    /// envelope or record layout version a <see cref="NotSupportedException"/> (refused, never guessed).</summary>
    public static CollectionManifest Read(string directory)
    {
        var manifest = ChecksummedJsonFile.Read<CollectionManifest>(directory, Envelope, out uint? version);
        if (version >= 2 && !CollectionManifest.IsValidCollectionId(manifest.CollectionId))
            throw new StorageCorruptionException(Path.Combine(directory, FileName), Envelope.HeaderBytes,
                $"the version {version} manifest has no valid collection identity (got '{manifest.CollectionId}')");
        if (version == 1 && manifest.CollectionId is not null)
            throw new StorageCorruptionException(Path.Combine(directory, FileName), Envelope.HeaderBytes,
                "a version 1 manifest cannot carry a collection identity");
        if (manifest.RecordLayoutVersion is < CollectionManifest.OldestReadableRecordLayoutVersion or > CollectionManifest.CurrentRecordLayoutVersion)
            throw new NotSupportedException(
                $"Collection at '{directory}' uses record layout version {manifest.RecordLayoutVersion}; this build " +
                $"reads versions {CollectionManifest.OldestReadableRecordLayoutVersion} to {CollectionManifest.CurrentRecordLayoutVersion}. Refusing to guess its format.");
        return manifest;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace VectorDb.Storage.Io;

/// <summary>
/// Reads and writes <c>manifest.vdb</c>: <c>"VDBMANIF" | u32 envelope version = 1 | i32 JSON length | UTF-8 JSON of
/// <see cref="CollectionManifest"/> | u32 CRC-32C of all preceding bytes</c> (a <see cref="JsonEnvelope"/>).
/// Written once, atomically (temp file, fsync, rename, directory fsync). WARNING: the envelope is baked into every
/// collection on disk.
/// </summary>
internal static class ManifestFile
{
    public const string FileName = "manifest.vdb";

    private static readonly JsonEnvelope Envelope = new(FileName, "manifest", Magic: 0x46494E414D424456, // "VDBMANIF"
        Version: 1, Json: new JsonSerializerOptions
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
        var manifest = ChecksummedJsonFile.Read<CollectionManifest>(directory, Envelope);
        if (manifest.RecordLayoutVersion != CollectionManifest.CurrentRecordLayoutVersion)
            throw new NotSupportedException(
                $"Collection at '{directory}' uses record layout version {manifest.RecordLayoutVersion}; this build " +
                $"reads only version {CollectionManifest.CurrentRecordLayoutVersion}. Refusing to guess its format.");
        return manifest;
    }
}

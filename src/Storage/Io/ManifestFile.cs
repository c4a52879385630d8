using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using VectorDb.Storage.Records;

namespace VectorDb.Storage.Io;

/// <summary>
/// Reads and writes <c>manifest.vdb</c>: <c>"VDBMANIF" | u32 envelope version = 1 | u32 JSON length | UTF-8 JSON of
/// <see cref="CollectionManifest"/> | u32 CRC-32C of all preceding bytes</c>. Written once, atomically (temp file,
/// fsync, rename, directory fsync). WARNING: the envelope is baked into every collection on disk.
/// </summary>
internal static class ManifestFile
{
    public const string FileName = "manifest.vdb";
    private const ulong Magic = 0x46494E414D424456; // "VDBMANIF" little endian
    private const uint EnvelopeVersion = 1;
    private const int HeaderBytes = 16;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Write(string directory, CollectionManifest manifest)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
        var bytes = new byte[HeaderBytes + json.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), EnvelopeVersion);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), json.Length);
        json.CopyTo(bytes, HeaderBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(^4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));

        var path = Path.Combine(directory, FileName);
        var temp = path + ".tmp";
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, bytes, 0);
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(directory);
    }

    /// <summary>Reads and verifies the manifest; damage is a <see cref="StorageCorruptionException"/>, an unknown
    /// envelope or record layout version a <see cref="NotSupportedException"/> (refused, never guessed).</summary>
    public static CollectionManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new StorageCorruptionException(path, 0, "the manifest file is missing");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderBytes + 4)
            throw new StorageCorruptionException(path, bytes.Length, $"the manifest is truncated to {bytes.Length} bytes");
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes) != Magic)
            throw new StorageCorruptionException(path, 0, "the manifest does not start with the VDBMANIF magic");
        int jsonLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        if (jsonLength < 0 || HeaderBytes + (long)jsonLength + 4 != bytes.Length)
            throw new StorageCorruptionException(path, 12,
                $"the manifest length field says {jsonLength} JSON bytes but the file holds {bytes.Length - HeaderBytes - 4}");
        if (!Crc32C.HasValidTrailer(bytes))
            throw new StorageCorruptionException(path, bytes.Length - 4, "manifest checksum mismatch");
        uint envelope = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        if (envelope != EnvelopeVersion)
            throw new NotSupportedException(
                $"Manifest '{path}' has envelope version {envelope}; this build reads only version {EnvelopeVersion}.");
        CollectionManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CollectionManifest>(bytes.AsSpan(HeaderBytes, jsonLength), Json)
                ?? throw new JsonException("null manifest");
        }
        catch (JsonException e)
        {
            throw new StorageCorruptionException(path, HeaderBytes, $"the manifest JSON is invalid ({e.Message})");
        }
        if (manifest.RecordLayoutVersion != CollectionManifest.CurrentRecordLayoutVersion)
            throw new NotSupportedException(
                $"Collection at '{directory}' uses record layout version {manifest.RecordLayoutVersion}; this build " +
                $"reads only version {CollectionManifest.CurrentRecordLayoutVersion}. Refusing to guess its format.");
        return manifest;
    }
}

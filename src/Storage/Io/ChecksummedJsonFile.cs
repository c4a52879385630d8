using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using VectorDb.Storage.Records;

namespace VectorDb.Storage.Io;

/// <summary>
/// The envelope shared by a collection's small, immutable JSON files (<c>manifest.vdb</c>, <c>logs.vdb</c>):
/// <c>u64 magic | u32 envelope version (only when <see cref="Version"/> is set) | i32 JSON length | UTF-8 JSON |
/// u32 CRC-32C of all preceding bytes</c>, little endian. WARNING: baked into every collection on disk; each file
/// keeps the magic and header it was created with.
/// </summary>
/// <param name="FileName">File name inside the collection directory.</param>
/// <param name="Description">What the file is, for error messages ("manifest").</param>
/// <param name="Magic">First eight bytes, read as a little-endian u64 (ASCII text such as "VDBMANIF").</param>
/// <param name="Version">Envelope version stored after the magic; null for a file whose header has no version field.</param>
/// <param name="Json">Serializer options of the JSON body (null: System.Text.Json defaults).</param>
/// <param name="OldestReadableVersion">Oldest envelope version still read (null: only <see cref="Version"/>).</param>
internal sealed record JsonEnvelope(string FileName, string Description, ulong Magic, uint? Version, JsonSerializerOptions? Json,
    uint? OldestReadableVersion = null)
{
    /// <summary>Bytes before the JSON body.</summary>
    public int HeaderBytes => Version is null ? 12 : 16;

    /// <summary>The magic as the text it spells.</summary>
    public string MagicText
    {
        get
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, Magic);
            return Encoding.ASCII.GetString(bytes);
        }
    }
}

/// <summary>Writes and reads files in a <see cref="JsonEnvelope"/>. Every way a stored file can be damaged (missing,
/// truncated, wrong magic, bad length or checksum, invalid or null JSON) is reported as
/// <see cref="StorageCorruptionException"/> with the path and what is wrong; an unknown envelope version as
/// <see cref="NotSupportedException"/> (refused, never guessed).</summary>
internal static class ChecksummedJsonFile
{
    /// <summary>Writes <paramref name="value"/> atomically: temp file, fsync, rename, directory fsync.</summary>
    public static void Write<T>(string directory, JsonEnvelope envelope, T value)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, envelope.Json);
        int header = envelope.HeaderBytes;
        var bytes = new byte[header + json.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, envelope.Magic);
        if (envelope.Version is { } version)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(header - 4), json.Length);
        json.CopyTo(bytes, header);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(^4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));

        WriteAtomically(directory, envelope.FileName, bytes);
    }

    /// <summary>Writes a whole small file atomically and durably: temp file, fsync, rename, directory fsync.</summary>
    public static void WriteAtomically(string directory, string fileName, byte[] bytes)
    {
        var path = Path.Combine(directory, fileName);
        var temp = path + ".tmp";
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, bytes, 0);
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(directory);
    }

    /// <summary>Reads and verifies the file, then deserializes its JSON.</summary>
    public static T Read<T>(string directory, JsonEnvelope envelope) where T : class => Read<T>(directory, envelope, out _);

    /// <summary>Reads and verifies the file, then deserializes its JSON; <paramref name="version"/> is the envelope
    /// version the file has (null for an envelope without a version field).</summary>
    public static T Read<T>(string directory, JsonEnvelope envelope, out uint? version) where T : class
    {
        version = null;
        var path = Path.Combine(directory, envelope.FileName);
        string what = envelope.Description;
        if (!File.Exists(path))
            throw new StorageCorruptionException(path, 0, $"the {what} file is missing");
        var bytes = File.ReadAllBytes(path);
        int header = envelope.HeaderBytes;
        if (bytes.Length < header + 4)
            throw new StorageCorruptionException(path, bytes.Length,
                $"the {what} file is truncated to {bytes.Length} bytes (at least {header + 4} expected)");
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes) != envelope.Magic)
            throw new StorageCorruptionException(path, 0, $"the {what} file does not start with the {envelope.MagicText} magic");
        int jsonLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(header - 4));
        long expected = header + (long)jsonLength + 4;
        if (jsonLength < 0 || expected != bytes.Length)
            throw new StorageCorruptionException(path, header - 4, jsonLength >= 0 && expected > bytes.Length
                ? $"the {what} file is truncated: its length field says {jsonLength} JSON bytes but it holds {bytes.Length - header - 4}"
                : $"the {what} file's length field says {jsonLength} JSON bytes but it holds {bytes.Length - header - 4}");
        if (!Crc32C.HasValidTrailer(bytes))
            throw new StorageCorruptionException(path, bytes.Length - 4, $"{what} checksum mismatch");
        if (envelope.Version is { } newest)
        {
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
            uint oldest = envelope.OldestReadableVersion ?? newest;
            if (stored < oldest || stored > newest)
                throw new NotSupportedException(
                    $"The {what} file '{path}' has envelope version {stored}; this build reads versions {oldest}..{newest}.");
            version = stored;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(bytes.AsSpan(header, jsonLength), envelope.Json)
                ?? throw new StorageCorruptionException(path, header, $"the {what} JSON is null");
        }
        catch (JsonException e)
        {
            throw new StorageCorruptionException(path, header, $"the {what} JSON is invalid ({e.Message})");
        }
    }
}

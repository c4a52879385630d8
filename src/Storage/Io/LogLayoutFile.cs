using System.Buffers.Binary;
using System.Text.Json;
using VectorDb.Storage.Records;

namespace VectorDb.Storage.Io;

/// <summary>
/// Page and segment sizes (log2) of a collection's two logs, fixed when the collection is created: FASTER's
/// addresses map to file offsets through them, so they must never change for existing files (memory budgets may).
/// </summary>
internal sealed record LogLayout(int CodesPageBits, int BlobPageBits, int SegmentBits);

/// <summary>Reads and writes <c>logs.vdb</c>: <c>"VDBLOGS1" | u32 JSON length | JSON | u32 CRC-32C</c>, written once
/// at creation. WARNING: baked into every collection on disk.</summary>
internal static class LogLayoutFile
{
    public const string FileName = "logs.vdb";
    private const ulong Magic = 0x31534F4C42445644; // "VDBLOGS1" little endian

    public static void Write(string directory, LogLayout layout)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(layout);
        var bytes = new byte[12 + json.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), json.Length);
        json.CopyTo(bytes, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(^4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        var path = Path.Combine(directory, FileName);
        using (var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
        {
            RandomAccess.Write(handle, bytes, 0);
            RandomAccess.FlushToDisk(handle);
        }
        DirectorySync.Flush(directory);
    }

    public static LogLayout Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new StorageCorruptionException(path, 0, "the log layout file is missing");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 16 || BinaryPrimitives.ReadUInt64LittleEndian(bytes) != Magic)
            throw new StorageCorruptionException(path, 0, "the log layout file is truncated or lacks its magic");
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (length < 0 || 12L + length + 4 != bytes.Length || !Crc32C.HasValidTrailer(bytes))
            throw new StorageCorruptionException(path, 8, "log layout checksum or length mismatch");
        return JsonSerializer.Deserialize<LogLayout>(bytes.AsSpan(12, length))
            ?? throw new StorageCorruptionException(path, 12, "the log layout JSON is empty");
    }
}

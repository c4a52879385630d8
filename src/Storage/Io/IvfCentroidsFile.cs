using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VectorDb.Storage.Records;

namespace VectorDb.Storage.Io;

/// <summary>
/// Reads and writes a collection's trained list centroids, <c>ivf.vdb</c> (IVF lists) or <c>codelists.vdb</c> (a flat
/// scan's residual code lists, every list scanned), so that a reopened collection searches the same lists (and the same
/// residual codes) instead of training new ones. Two files rather than a flag, so that a build that knows only IVF
/// lists ignores code lists (its mean-centred codes still answer) instead of probing them: <c>"VDBIVFC1" | u32 version = 1 |
/// i32 lists | i32 dimension | 36 bytes: the collection id as ASCII text, zero-padded (all zero: none) |
/// lists·dimension float32 | u32 CRC-32C of all preceding bytes</c>, little endian.
/// Written once, atomically (temp file, fsync, rename, directory fsync), after a training completes. WARNING: baked
/// into every trained collection on disk.
/// </summary>
internal static class IvfCentroidsFile
{
    public const string FileName = "ivf.vdb";
    public const string CodeListsFileName = "codelists.vdb";
    private const ulong Magic = 0x314346564944_4256; // "VDBIVFC1"
    private const uint Version = 1;
    private const int IdBytes = 36;
    private const int HeaderBytes = 20 + IdBytes;

    public static bool Exists(string directory, string fileName) => File.Exists(Path.Combine(directory, fileName));

    public static void Write(string directory, string fileName, int lists, int dimension, ReadOnlySpan<float> centroids, string? collectionId)
    {
        var bytes = new byte[HeaderBytes + centroids.Length * 4 + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), Version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), lists);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), dimension);
        System.Text.Encoding.ASCII.GetBytes(collectionId ?? "", bytes.AsSpan(20, IdBytes));
        for (int i = 0; i < centroids.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(HeaderBytes + 4 * i), centroids[i]);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(^4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        ChecksummedJsonFile.WriteAtomically(directory, fileName, bytes);
    }

    /// <summary>The stored (lists, centroids row-major); any damage or a dimension other than
    /// <paramref name="dimension"/> is a <see cref="StorageCorruptionException"/> with the path.</summary>
    public static (int Lists, float[] Centroids) Read(string directory, string fileName, int dimension, string? collectionId)
    {
        var path = Path.Combine(directory, fileName);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderBytes + 4 || BinaryPrimitives.ReadUInt64LittleEndian(bytes) != Magic)
            throw new StorageCorruptionException(path, 0, "the IVF centroids file is truncated or does not start with the VDBIVFC1 magic");
        if (!Crc32C.HasValidTrailer(bytes))
            throw new StorageCorruptionException(path, bytes.Length - 4, "IVF centroids checksum mismatch");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        if (version != Version)
            throw new NotSupportedException($"The IVF centroids file '{path}' has version {version}; this build reads only version {Version}.");
        int lists = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        int storedDimension = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        if (storedDimension != dimension || lists < 1 || (long)lists * dimension * 4 + HeaderBytes + 4 != bytes.Length)
            throw new StorageCorruptionException(path, 12,
                $"the IVF centroids file holds {lists} lists of dimension {storedDimension} in {bytes.Length} bytes; the collection has dimension {dimension}");
        string storedId = System.Text.Encoding.ASCII.GetString(bytes.AsSpan(20, IdBytes)).TrimEnd('\0');
        if (storedId != (collectionId ?? ""))
            throw new StorageCorruptionException(path, 20,
                $"the IVF centroids file belongs to collection '{storedId}', the manifest to '{collectionId}': it was copied from another collection");
        var centroids = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(HeaderBytes, lists * dimension * 4)).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < centroids.Length; i++)
                centroids[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(HeaderBytes + 4 * i));
        }
        if (Array.Exists(centroids, v => !float.IsFinite(v)))
            throw new StorageCorruptionException(path, HeaderBytes, "the IVF centroids file holds a non-finite value");
        return (lists, centroids);
    }
}

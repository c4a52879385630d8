using System.Buffers.Binary;

namespace VectorDb.Storage.Faster;

/// <summary>
/// Reads a FasterLog's segment files directly, without FASTER, for salvage: FASTER's iterator stops at the first
/// damaged entry, this reader skips it and resynchronises. It relies on FasterLog's on-disk format with no
/// per-entry checksum: the log starts at address 64; each entry is a 4-byte little-endian length then the body,
/// padded to 4 bytes; entries never cross a page; the rest of a page after the last entry is zero.
/// </summary>
internal static class RawLogReader
{
    private const int FirstAddress = 64;

    /// <summary>Visits every entry in [begin, end) that <paramref name="accept"/> recognises as intact (by its own
    /// checksum); unrecognised bytes are reported as damaged ranges (file, offset, length) and skipped 4 bytes at a
    /// time until an intact entry is found again.</summary>
    public static void Scan(string baseFile, int pageBits, int segmentBits, long begin, long end,
        Func<ReadOnlyMemory<byte>, bool> accept, Action<long, ReadOnlyMemory<byte>> onEntry,
        Action<string, long, long> onDamage)
    {
        long pageSize = 1L << pageBits;
        long address = Math.Max(begin, FirstAddress);
        int loadedSegment = -1;
        byte[] segment = [];
        long damageStart = -1;
        while (address < end)
        {
            int segmentId = (int)(address >> segmentBits);
            string path = $"{baseFile}.{segmentId}";
            if (segmentId != loadedSegment)
            {
                segment = File.Exists(path) ? File.ReadAllBytes(path) : [];
                loadedSegment = segmentId;
            }
            long offset = address & ((1L << segmentBits) - 1);
            long pageEnd = (address & ~(pageSize - 1)) + pageSize;
            int length = offset + 4 <= segment.Length ? BinaryPrimitives.ReadInt32LittleEndian(segment.AsSpan((int)offset)) : 0;
            if (length == 0 && RestOfPageIsZero(segment, offset, pageEnd - address))
            {
                address = pageEnd; // padding (or never-written space)
                continue;
            }
            long entryEnd = address + 4 + ((length + 3L) & ~3L);
            if (length > 0 && entryEnd <= pageEnd && offset + 4 + length <= segment.Length)
            {
                var body = segment.AsMemory((int)offset + 4, length);
                if (accept(body))
                {
                    if (damageStart >= 0)
                    {
                        Report(damageStart, address);
                        damageStart = -1;
                    }
                    onEntry(address, body);
                    address = entryEnd;
                    continue;
                }
            }
            if (damageStart < 0)
                damageStart = address;
            address += 4;
        }
        if (damageStart >= 0)
            Report(damageStart, end);

        void Report(long from, long to) =>
            onDamage($"{baseFile}.{from >> segmentBits}", from & ((1L << segmentBits) - 1), to - from);
    }

    private static bool RestOfPageIsZero(byte[] segment, long offset, long count)
    {
        if (offset >= segment.Length)
            return true;
        long available = Math.Min(count, segment.Length - offset);
        return !segment.AsSpan((int)offset, (int)available).ContainsAnyExcept((byte)0);
    }

    /// <summary>Reads the entry body at <paramref name="address"/> from the segment files, or null.</summary>
    public static byte[]? ReadEntry(string baseFile, int segmentBits, long address)
    {
        string path = $"{baseFile}.{address >> segmentBits}";
        if (!File.Exists(path))
            return null;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        long offset = address & ((1L << segmentBits) - 1);
        Span<byte> header = stackalloc byte[4];
        if (RandomAccess.Read(handle, header, offset) != 4)
            return null;
        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length <= 0 || length > 1 << 30)
            return null;
        var body = new byte[length];
        return RandomAccess.Read(handle, body, offset + 4) == length ? body : null;
    }
}

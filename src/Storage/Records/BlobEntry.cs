using System.Buffers.Binary;

namespace VectorDb.Storage.Records;

/// <summary>
/// One entry of the blob log: a complete point version (codes, original vector, payload, key). It is
/// self-contained so that compaction can move it by a sequential scan and rebuild the matching codes entry, and so
/// that salvage can recover a point from the blob log alone. Written only when the point has an original or a
/// payload; the codes entry pins it by address and by its CRC.
/// </summary>
/// <remarks>
/// Layout v1 (little endian), WARNING: baked into every stored record:
/// <code>
///  0 u8 kind = Blob   1 u8 layout version = 1   2 u16 key length   4 i32 codes length
///  8 u64 point id    16 i32 original length    20 i32 payload length
/// 24 codes | original | payload | key | u32 CRC-32C of all preceding bytes
/// </code>
/// </remarks>
internal readonly ref struct BlobEntry
{
    public const byte LayoutVersion = 1;
    public const int HeaderBytes = 24;

    public ulong PointId { get; init; }
    public ReadOnlySpan<byte> Codes { get; init; }
    public ReadOnlySpan<byte> Original { get; init; }
    public ReadOnlySpan<byte> Payload { get; init; }
    public ReadOnlySpan<byte> KeyUtf8 { get; init; }

    public static int Size(int codes, int original, int payload, int key) =>
        HeaderBytes + codes + original + payload + key + EntryFrame.TrailerBytes;

    /// <summary>Serialises into <paramref name="destination"/>; returns the entry's CRC (its last four bytes).</summary>
    public uint WriteTo(Span<byte> destination, out int size)
    {
        size = Size(Codes.Length, Original.Length, Payload.Length, KeyUtf8.Length);
        var d = destination[..size];
        EntryFrame.WriteHead(d, EntryKind.Blob, LayoutVersion, KeyUtf8.Length);
        BinaryPrimitives.WriteInt32LittleEndian(d[4..], Codes.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], PointId);
        BinaryPrimitives.WriteInt32LittleEndian(d[16..], Original.Length);
        BinaryPrimitives.WriteInt32LittleEndian(d[20..], Payload.Length);
        int at = HeaderBytes;
        Codes.CopyTo(d[at..]);
        at += Codes.Length;
        Original.CopyTo(d[at..]);
        at += Original.Length;
        Payload.CopyTo(d[at..]);
        at += Payload.Length;
        KeyUtf8.CopyTo(d[at..]);
        return EntryFrame.Seal(d);
    }

    /// <summary>The stored CRC of a blob entry (its last four bytes), without verifying it.</summary>
    public static uint StoredCrc(ReadOnlySpan<byte> entry) => BinaryPrimitives.ReadUInt32LittleEndian(entry[^4..]);

    /// <summary>Verifies a stored blob entry against the codes entry that references it: it parses (length, kind,
    /// version, CRC-32C), belongs to <paramref name="pointId"/> and carries the CRC recorded at write time
    /// (<paramref name="recordedCrc"/>, which tells this version from an older intact entry of the same point).</summary>
    public static bool TryVerify(ReadOnlySpan<byte> entry, ulong pointId, uint recordedCrc, out BlobEntry blob) =>
        TryParse(entry, out blob) == ParseStatus.Ok && blob.PointId == pointId && StoredCrc(entry) == recordedCrc;

    /// <summary>Parses and verifies (length, kind, version, checksum) one entry.</summary>
    public static ParseStatus TryParse(ReadOnlySpan<byte> entry, out BlobEntry parsed)
    {
        parsed = default;
        var framing = EntryFrame.Check(entry, HeaderBytes, LayoutVersion, EntryKind.Blob, EntryKind.Blob);
        if (framing != ParseStatus.Ok)
            return framing;
        int key = EntryFrame.KeyLength(entry);
        int codes = BinaryPrimitives.ReadInt32LittleEndian(entry[4..]);
        int original = BinaryPrimitives.ReadInt32LittleEndian(entry[16..]);
        int payload = BinaryPrimitives.ReadInt32LittleEndian(entry[20..]);
        if (codes < 0 || original < 0 || payload < 0 || Size(codes, original, payload, key) != entry.Length)
            return ParseStatus.BadLengths;
        int at = HeaderBytes;
        parsed = new BlobEntry
        {
            PointId = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]),
            Codes = entry.Slice(at, codes),
            Original = entry.Slice(at += codes, original),
            Payload = entry.Slice(at += original, payload),
            KeyUtf8 = entry.Slice(at + payload, key),
        };
        return ParseStatus.Ok;
    }
}

using System.Buffers.Binary;

namespace VectorDb.Storage.Records;

/// <summary>
/// One entry of the codes log: what recovery reads to rebuild the point location map and the search structures
/// without touching originals. Sequence numbers are consecutive in log order (assigned under the location lock), so a
/// scan that skips an entry is detected.
/// </summary>
/// <remarks>
/// Layout v1 (little endian), WARNING: baked into every stored record:
/// <code>
///  0 u8  kind (Upsert | Delete)        1 u8 layout version = 1      2 u16 key length (UTF-8 bytes)
///  4 u32 CRC-32C of the blob entry (0 = no blob)
///  8 u64 sequence                     16 u64 point id
/// 24 i64 blob address (0 = none)      32 i32 blob entry length     36 i32 codes length
/// 40 codes | key | u32 CRC-32C of all preceding bytes
/// </code>
/// A Delete carries no codes, key or blob.
/// </remarks>
internal readonly ref struct CodesEntry
{
    public const byte LayoutVersion = 1;
    public const int HeaderBytes = 40;

    public EntryKind Kind { get; init; }
    public ulong Sequence { get; init; }
    public ulong PointId { get; init; }
    public long BlobAddress { get; init; }
    public int BlobLength { get; init; }
    public uint BlobCrc { get; init; }
    public ReadOnlySpan<byte> Codes { get; init; }
    public ReadOnlySpan<byte> KeyUtf8 { get; init; }

    public static int Size(int codesLength, int keyLength) => HeaderBytes + codesLength + keyLength + EntryFrame.TrailerBytes;

    /// <summary>Serialises this entry into <paramref name="destination"/> (exactly <see cref="Size"/> bytes).</summary>
    public int WriteTo(Span<byte> destination)
    {
        int size = Size(Codes.Length, KeyUtf8.Length);
        var d = destination[..size];
        EntryFrame.WriteHead(d, Kind, LayoutVersion, KeyUtf8.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], BlobCrc);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], Sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], PointId);
        BinaryPrimitives.WriteInt64LittleEndian(d[24..], BlobAddress);
        BinaryPrimitives.WriteInt32LittleEndian(d[32..], BlobLength);
        BinaryPrimitives.WriteInt32LittleEndian(d[36..], Codes.Length);
        Codes.CopyTo(d[HeaderBytes..]);
        KeyUtf8.CopyTo(d[(HeaderBytes + Codes.Length)..]);
        EntryFrame.Seal(d);
        return size;
    }

    /// <summary>Parses and verifies (length, kind, version, checksum) one entry.</summary>
    public static ParseStatus TryParse(ReadOnlySpan<byte> entry, out CodesEntry parsed)
    {
        parsed = default;
        var framing = EntryFrame.Check(entry, HeaderBytes, LayoutVersion, EntryKind.Upsert, EntryKind.Delete);
        if (framing != ParseStatus.Ok)
            return framing;
        int keyLength = EntryFrame.KeyLength(entry);
        int codesLength = BinaryPrimitives.ReadInt32LittleEndian(entry[36..]);
        if (codesLength < 0 || Size(codesLength, keyLength) != entry.Length)
            return ParseStatus.BadLengths;
        parsed = new CodesEntry
        {
            Kind = (EntryKind)entry[0],
            BlobCrc = BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]),
            Sequence = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]),
            PointId = BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]),
            BlobAddress = BinaryPrimitives.ReadInt64LittleEndian(entry[24..]),
            BlobLength = BinaryPrimitives.ReadInt32LittleEndian(entry[32..]),
            Codes = entry.Slice(HeaderBytes, codesLength),
            KeyUtf8 = entry.Slice(HeaderBytes + codesLength, keyLength),
        };
        return ParseStatus.Ok;
    }
}

using System.Buffers.Binary;

namespace VectorDb.Storage.Records;

/// <summary>
/// The framing both log entries share (<see cref="CodesEntry"/>, <see cref="BlobEntry"/>): byte 0 the
/// <see cref="EntryKind"/>, byte 1 the entry's layout version, bytes 2-3 the key's UTF-8 length (u16, little endian),
/// then the kind's own header fields and bodies, and last a u32 CRC-32C (little endian) of all preceding bytes.
/// WARNING: baked into every stored record.
/// </summary>
internal static class EntryFrame
{
    /// <summary>Bytes of the CRC-32C trailer.</summary>
    public const int TrailerBytes = 4;

    /// <summary>Writes kind, layout version and key length into the first four bytes of <paramref name="entry"/>.</summary>
    public static void WriteHead(Span<byte> entry, EntryKind kind, byte layoutVersion, int keyLength)
    {
        entry[0] = (byte)kind;
        entry[1] = layoutVersion;
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], checked((ushort)keyLength));
    }

    /// <summary>Writes the CRC-32C of all but the last four bytes into the last four; returns it.</summary>
    public static uint Seal(Span<byte> entry)
    {
        uint crc = Crc32C.Compute(entry[..^TrailerBytes]);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[^TrailerBytes..], crc);
        return crc;
    }

    /// <summary>Checks the framing, in this order: at least a header and a trailer long, checksum, kind (one of
    /// <paramref name="kind"/> and <paramref name="otherKind"/>), layout version. The kind's own lengths are the
    /// caller's to check.</summary>
    public static ParseStatus Check(ReadOnlySpan<byte> entry, int headerBytes, byte layoutVersion, EntryKind kind,
        EntryKind otherKind)
    {
        if (entry.Length < headerBytes + TrailerBytes)
            return ParseStatus.TooShort;
        if (!Crc32C.HasValidTrailer(entry))
            return ParseStatus.BadChecksum;
        var stored = (EntryKind)entry[0];
        if (stored != kind && stored != otherKind)
            return ParseStatus.UnknownKind;
        if (entry[1] != layoutVersion)
            return ParseStatus.UnknownLayoutVersion;
        return ParseStatus.Ok;
    }

    /// <summary>The key's UTF-8 length from a checked entry's head.</summary>
    public static int KeyLength(ReadOnlySpan<byte> entry) => BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
}

namespace VectorDb.Index.Scan;

/// <summary>
/// Conversions between one-byte-per-coordinate codes and the LSB-first packed form the quantizers store: coordinate
/// j occupies stream bits [j·b, (j+1)·b), where stream bit k is bit (k mod 8) of byte k/8. Codes of 3, 5, 6 and 7
/// bits may straddle a byte boundary.
/// </summary>
public static class PackedCodes
{
    /// <summary>Bytes needed to pack <paramref name="dimension"/> codes of <paramref name="bitsPerCode"/> bits.</summary>
    public static int PackedLength(int dimension, int bitsPerCode)
    {
        ValidateBits(bitsPerCode);
        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        return (int)(((long)dimension * bitsPerCode + 7) / 8);
    }

    /// <summary>Unpacks <c>codes.Length</c> codes of <paramref name="bitsPerCode"/> bits from <paramref name="packed"/>.</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, int bitsPerCode, Span<byte> codes)
    {
        int needed = PackedLength(codes.Length, bitsPerCode);
        if (packed.Length < needed)
        {
            throw new ArgumentException(
                $"packed holds {packed.Length} bytes; {codes.Length} codes of {bitsPerCode} bits need {needed}.", nameof(packed));
        }
        int mask = (1 << bitsPerCode) - 1;
        long bit = 0;
        for (int j = 0; j < codes.Length; j++, bit += bitsPerCode)
        {
            int byteIndex = (int)(bit >> 3);
            int shift = (int)(bit & 7);
            // Two bytes always cover one code of at most 8 bits starting at any bit offset.
            int window = packed[byteIndex] | (byteIndex + 1 < packed.Length ? packed[byteIndex + 1] << 8 : 0);
            codes[j] = (byte)((window >> shift) & mask);
        }
    }

    /// <summary>Packs <paramref name="codes"/> (each below 2^bitsPerCode) LSB-first into <paramref name="packed"/>.</summary>
    public static void Pack(ReadOnlySpan<byte> codes, int bitsPerCode, Span<byte> packed)
    {
        int needed = PackedLength(codes.Length, bitsPerCode);
        if (packed.Length < needed)
        {
            throw new ArgumentException(
                $"packed holds {packed.Length} bytes; {codes.Length} codes of {bitsPerCode} bits need {needed}.", nameof(packed));
        }
        ThrowIfCodeOutOfRange(codes, bitsPerCode);
        packed.Slice(0, needed).Clear();
        long bit = 0;
        for (int j = 0; j < codes.Length; j++, bit += bitsPerCode)
        {
            int byteIndex = (int)(bit >> 3);
            int shifted = codes[j] << (int)(bit & 7);
            packed[byteIndex] |= (byte)shifted;
            if ((shifted >> 8) != 0)
            {
                packed[byteIndex + 1] |= (byte)(shifted >> 8);
            }
        }
    }

    internal static void ValidateBits(int bitsPerCode)
    {
        if (bitsPerCode is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(bitsPerCode), bitsPerCode, "bits per code must be 1..8.");
        }
    }

    internal static void ThrowIfCodeOutOfRange(ReadOnlySpan<byte> codes, int bitsPerCode)
    {
        if (bitsPerCode == 8)
        {
            return;
        }
        int limit = 1 << bitsPerCode;
        for (int j = 0; j < codes.Length; j++)
        {
            if (codes[j] >= limit)
            {
                throw new ArgumentException(
                    $"code {codes[j]} at coordinate {j} does not fit in {bitsPerCode} bits (must be below {limit}).", nameof(codes));
            }
        }
    }
}

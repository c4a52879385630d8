using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace VectorDb.Index.Quantization;

/// <summary>
/// b-bit codes ↔ bytes, LSB-first: code j occupies bits [j·b, (j+1)·b) of the little-endian bit stream, i.e. bit i of
/// the stream is bit (i mod 8) of byte ⌊i/8⌋. A stream of n codes takes ⌈n·b/8⌉ bytes and the unused high bits of the
/// last byte are zero. WARNING: baked into every stored record (see <see cref="CodeLayout"/>).
/// <para>
/// Eight codes make exactly b bytes, so both directions work on groups of 8 codes through one 64-bit word (with the
/// BMI2 bit-extract/deposit instructions where the CPU has them; the shift loop gives the same bits).
/// </para>
/// </summary>
public static class BitPacking
{
    /// <summary>Bytes needed for <paramref name="count"/> codes of <paramref name="bits"/> bits.</summary>
    public static int PackedLength(int count, int bits) => (int)(((long)count * bits + 7) / 8);

    /// <summary>Validates <paramref name="bits"/> and returns <see cref="PackedLength"/>, or throws naming the packed
    /// span (<paramref name="role"/>: destination or source; parameter <paramref name="paramName"/>) when it holds
    /// fewer than that many bytes (<paramref name="available"/>) for <paramref name="count"/> codes.</summary>
    private static int CheckedPackedLength(int count, int bits, int available, string role, string paramName)
    {
        ValidateBits(bits);
        int length = PackedLength(count, bits);
        if (available < length)
        {
            throw new ArgumentException($"{count} codes of {bits} bits need {length} bytes; the {role} has {available}.", paramName);
        }
        return length;
    }

    /// <summary>Packs one code per byte of <paramref name="codes"/> (values below 2^bits) into <paramref name="packed"/>.</summary>
    public static void Pack(ReadOnlySpan<byte> codes, int bits, Span<byte> packed)
    {
        int length = CheckedPackedLength(codes.Length, bits, packed.Length, "destination", nameof(packed));
        ulong laneMask = LaneMask(bits);
        int j = 0, o = 0;
        ref byte source = ref MemoryMarshal.GetReference(codes);
        ref byte destination = ref MemoryMarshal.GetReference(packed);
        for (; j + 8 <= codes.Length; j += 8, o += bits)
        {
            ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, j));
            ulong group = Bmi2.X64.IsSupported ? Bmi2.X64.ParallelBitExtract(word, laneMask) : Gather(word, bits);
            if (o + 8 <= length)
            {
                // A full 8-byte store: bytes past o + bits are zero now and overwritten by the next groups.
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, o), BitConverter.IsLittleEndian ? group : BinaryPrimitives.ReverseEndianness(group));
            }
            else
            {
                WriteLow(packed.Slice(o, bits), group);
            }
        }
        if (j < codes.Length)
        {
            ulong group = 0;
            for (int i = 0; j + i < codes.Length; i++)
            {
                group |= (ulong)codes[j + i] << (i * bits);
            }
            WriteLow(packed.Slice(o, length - o), group);
        }
    }

    /// <summary>Unpacks <paramref name="codes"/>.Length codes of <paramref name="bits"/> bits, one per byte.</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, int bits, Span<byte> codes)
    {
        int length = CheckedPackedLength(codes.Length, bits, packed.Length, "source", nameof(packed));
        ulong laneMask = LaneMask(bits);
        ulong groupMask = bits == 8 ? ulong.MaxValue : (1UL << (8 * bits)) - 1;
        ref byte destination = ref MemoryMarshal.GetReference(codes);
        ref byte source = ref MemoryMarshal.GetReference(packed);
        int j = 0, o = 0;
        for (; j + 8 <= codes.Length; j += 8, o += bits)
        {
            ulong group = o + 8 <= length
                ? ReadLittleEndian(ref Unsafe.Add(ref source, o)) & groupMask
                : ReadLow(packed.Slice(o, bits));
            ulong word = Bmi2.X64.IsSupported ? Bmi2.X64.ParallelBitDeposit(group, laneMask) : Scatter(group, bits);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, j), word);
        }
        if (j < codes.Length)
        {
            ulong group = ReadLow(packed.Slice(o, length - o));
            ulong mask = (1UL << bits) - 1;
            for (int i = 0; j + i < codes.Length; i++)
            {
                codes[j + i] = (byte)((group >> (i * bits)) & mask);
            }
        }
    }

    /// <summary>The low <paramref name="bits"/> bits of each of the 8 bytes of a word.</summary>
    private static ulong LaneMask(int bits) => 0x0101010101010101UL * ((1UL << bits) - 1);

    private static ulong Gather(ulong word, int bits)
    {
        ulong mask = (1UL << bits) - 1, group = 0;
        for (int i = 0; i < 8; i++)
        {
            group |= ((word >> (8 * i)) & mask) << (i * bits);
        }
        return group;
    }

    private static ulong Scatter(ulong group, int bits)
    {
        ulong mask = (1UL << bits) - 1, word = 0;
        for (int i = 0; i < 8; i++)
        {
            word |= ((group >> (i * bits)) & mask) << (8 * i);
        }
        return word;
    }

    private static void WriteLow(Span<byte> destination, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        bytes.Slice(0, destination.Length).CopyTo(destination);
    }

    private static ulong ReadLittleEndian(ref byte source)
    {
        ulong value = Unsafe.ReadUnaligned<ulong>(ref source);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    private static ulong ReadLow(ReadOnlySpan<byte> source)
    {
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        source.CopyTo(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    private static void ValidateBits(int bits)
    {
        if (bits is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "codes are 1 to 8 bits wide.");
        }
    }
}

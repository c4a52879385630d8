using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VectorDb.Index.Search;

namespace VectorDb.Index.Rerank;

/// <summary>
/// The stored form of an original: its coordinates as little-endian float32 or float16, as a storage layer persists
/// them and <see cref="OriginalVectorStore.UpsertStored"/> takes them.
/// </summary>
internal static class OriginalEncoding
{
    /// <summary>
    /// Checks <paramref name="vector"/>'s coordinates (finite; for float16 within ±<see cref="OriginalVectorStore.MaxFloat16Magnitude"/>)
    /// and writes its stored form into <paramref name="stored"/> (d·width bytes; nothing for <see cref="OriginalsFormat.None"/>)
    /// in the same pass. The first bad coordinate is in <paramref name="coordinate"/> (−1 when there is none); what is
    /// in <paramref name="stored"/> then is garbage.
    /// </summary>
    public static OriginalFault Encode(ReadOnlySpan<float> vector, OriginalsFormat format, Span<byte> stored, out int coordinate)
    {
        OriginalFault fault = format switch
        {
            OriginalsFormat.Float16 => ToFloat16(vector, MemoryMarshal.Cast<byte, Half>(stored), out coordinate),
            OriginalsFormat.Float32 => ToFloat32(vector, MemoryMarshal.Cast<byte, float>(stored), out coordinate),
            _ => ToFloat32(vector, default, out coordinate),
        };
        if (fault == OriginalFault.None && !BitConverter.IsLittleEndian && !stored.IsEmpty)
        {
            ToLittleEndian(stored, format);
        }
        return fault;
    }

    /// <summary>A stored original widened to float32 into <paramref name="vector"/> (d coordinates).</summary>
    public static void Widen(ReadOnlySpan<byte> stored, OriginalsFormat format, Span<float> vector)
    {
        if (format == OriginalsFormat.Float32 && BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(stored).CopyTo(vector);
            return;
        }
        for (int j = 0; j < vector.Length; j++)
        {
            vector[j] = format == OriginalsFormat.Float32
                ? BinaryPrimitives.ReadSingleLittleEndian(stored[(4 * j)..])
                : (float)BinaryPrimitives.ReadHalfLittleEndian(stored[(2 * j)..]);
        }
    }

    private static OriginalFault ToFloat16(ReadOnlySpan<float> vector, Span<Half> stored, out int coordinate)
    {
        for (int j = 0; j < vector.Length; j++)
        {
            float value = vector[j];
            if (!(Math.Abs(value) <= OriginalVectorStore.MaxFloat16Magnitude)) // NaN fails the comparison too
            {
                coordinate = j;
                return float.IsFinite(value) ? OriginalFault.BeyondFloat16 : OriginalFault.NotFinite;
            }
            stored[j] = (Half)value;
        }
        coordinate = -1;
        return OriginalFault.None;
    }

    /// <summary>Float32 originals (copied into <paramref name="stored"/> unless it is empty: none kept).</summary>
    private static OriginalFault ToFloat32(ReadOnlySpan<float> vector, Span<float> stored, out int coordinate)
    {
        for (int j = 0; j < vector.Length; j++)
        {
            if (!float.IsFinite(vector[j]))
            {
                coordinate = j;
                return OriginalFault.NotFinite;
            }
        }
        if (!stored.IsEmpty)
        {
            vector.CopyTo(stored);
        }
        coordinate = -1;
        return OriginalFault.None;
    }

    /// <summary>Native-order coordinates to little-endian, in place (big-endian hosts only).</summary>
    private static void ToLittleEndian(Span<byte> stored, OriginalsFormat format)
    {
        if (format == OriginalsFormat.Float16)
        {
            Span<ushort> words = MemoryMarshal.Cast<byte, ushort>(stored);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
        else
        {
            Span<uint> words = MemoryMarshal.Cast<byte, uint>(stored);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }
}

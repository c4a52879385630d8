using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace VectorDb.Index.Rerank;

/// <summary>
/// Exact float16 → float32 widening with integer SIMD (x86 .NET exposes no vcvtph2ps). For a finite half h with
/// magnitude bits m = h &amp; 0x7FFF: placing m at float bit 13 gives a float whose exponent is 112 too small (the
/// exponent biases are 15 and 127), so multiplying by 2^112 is exact and yields |h| for normals and subnormals
/// alike; the sign bit is then moved from bit 15 to bit 31. Infinities and NaNs are NOT handled: stores never
/// hold them (<see cref="OriginalVectorStore.Upsert"/> rejects such input). Tests compare all 63,488 finite halves
/// against <c>(float)Half</c> bit for bit.
/// </summary>
internal static class HalfWidening
{
    private const uint MagnitudeMask = 0x7FFF;
    private const uint SignMask = 0x8000;
    private const int MantissaShift = 13;

    /// <summary>2^112 as float bits: exponent field 127 + 112.</summary>
    private const uint ExponentRebiasBits = (127 + 112) << 23;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ToSingle(Vector512<uint> halfBits)
    {
        Vector512<float> magnitude = ((halfBits & Vector512.Create(MagnitudeMask)) << MantissaShift).AsSingle()
            * Vector512.Create(ExponentRebiasBits).AsSingle();
        return (magnitude.AsUInt32() | ((halfBits & Vector512.Create(SignMask)) << 16)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ToSingle(Vector256<uint> halfBits)
    {
        Vector256<float> magnitude = ((halfBits & Vector256.Create(MagnitudeMask)) << MantissaShift).AsSingle()
            * Vector256.Create(ExponentRebiasBits).AsSingle();
        return (magnitude.AsUInt32() | ((halfBits & Vector256.Create(SignMask)) << 16)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ToSingle(Vector128<uint> halfBits)
    {
        Vector128<float> magnitude = ((halfBits & Vector128.Create(MagnitudeMask)) << MantissaShift).AsSingle()
            * Vector128.Create(ExponentRebiasBits).AsSingle();
        return (magnitude.AsUInt32() | ((halfBits & Vector128.Create(SignMask)) << 16)).AsSingle();
    }
}

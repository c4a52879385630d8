using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VectorDb.Index.Scan;

public static partial class FastScanKernel
{
    /// <summary>AVX2: 2 groups per 32-byte load; 128 iterations per flush keep the 2-lane fold ≤ 65280.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate256(ref byte codes, ref byte tables, int groupCount, out Vector256<uint> sums0,
        out Vector256<uint> sums8, out Vector256<uint> sums16, out Vector256<uint> sums24)
    {
        Vector256<byte> nibbleMask = Vector256.Create((byte)0x0F);
        Vector256<uint> s0 = default, s8 = default, s16 = default, s24 = default;
        for (int start = 0; start < groupCount; start += FlushGroups)
        {
            nuint end = (nuint)Math.Min(groupCount, start + FlushGroups) * 16;
            Vector256<ushort> lowA = default, lowB = default, highA = default, highB = default;
            for (nuint offset = (nuint)start * 16; offset < end; offset += 32)
            {
                Vector256<byte> packed = Vector256.LoadUnsafe(ref codes, offset);
                Accumulate(Vector256.LoadUnsafe(ref tables, offset), packed & nibbleMask,
                    (packed.AsUInt16() >> 4).AsByte() & nibbleMask, ref lowA, ref lowB, ref highA, ref highB);
            }
            // Even bytes (A − B·256) are vectors 0..7 of each half, odd bytes (B) vectors 8..15.
            s0 += Avx2.ConvertToVector256Int32(Fold(lowA - (lowB << 8))).AsUInt32();
            s8 += Avx2.ConvertToVector256Int32(Fold(lowB)).AsUInt32();
            s16 += Avx2.ConvertToVector256Int32(Fold(highA - (highB << 8))).AsUInt32();
            s24 += Avx2.ConvertToVector256Int32(Fold(highB)).AsUInt32();
        }
        sums0 = s0;
        sums8 = s8;
        sums16 = s16;
        sums24 = s24;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Fold(Vector256<ushort> lanes) => lanes.GetLower() + lanes.GetUpper();
}

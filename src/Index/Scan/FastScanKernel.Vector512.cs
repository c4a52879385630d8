using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VectorDb.Index.Scan;

public static partial class FastScanKernel
{
    /// <summary>
    /// AVX-512BW: one 64-byte load covers 4 groups (one per 128-bit lane) of all 32 vectors; VPSHUFB looks each lane
    /// up in its own group's table, which the table layout places in the same lane. 64 iterations (256 groups) per
    /// flush keep each lane's 16-bit sum ≤ 64·255 and the 4-lane fold ≤ 65280.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate512(ref byte codes, ref byte tables, int groupCount,
        out Vector512<uint> first16, out Vector512<uint> last16)
    {
        Vector512<byte> nibbleMask = Vector512.Create((byte)0x0F);
        Vector512<uint> sums0 = default, sums16 = default;
        for (int start = 0; start < groupCount; start += FlushGroups)
        {
            nuint end = (nuint)Math.Min(groupCount, start + FlushGroups) * 16;
            Vector512<ushort> lowA = default, lowB = default, highA = default, highB = default;
            for (nuint offset = (nuint)start * 16; offset < end; offset += 64)
            {
                Vector512<byte> packed = Vector512.LoadUnsafe(ref codes, offset);
                Accumulate(Vector512.LoadUnsafe(ref tables, offset), packed & nibbleMask,
                    (packed.AsUInt16() >> 4).AsByte() & nibbleMask, ref lowA, ref lowB, ref highA, ref highB);
            }
            // Even bytes (A − B·256) are vectors 0..7 of each half, odd bytes (B) vectors 8..15: fold the 4 lanes,
            // put the two 8-vector halves side by side and zero-extend 16 sums to 32 bits at once.
            sums0 += Avx512F.ConvertToVector512UInt32(Vector256.Create(Fold(lowA - (lowB << 8)), Fold(lowB)));
            sums16 += Avx512F.ConvertToVector512UInt32(Vector256.Create(Fold(highA - (highB << 8)), Fold(highB)));
        }
        first16 = sums0;
        last16 = sums16;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Fold(Vector512<ushort> lanes)
    {
        Vector256<ushort> half = lanes.GetLower() + lanes.GetUpper();
        return half.GetLower() + half.GetUpper();
    }
}

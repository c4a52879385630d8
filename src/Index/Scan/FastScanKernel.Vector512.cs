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
        Vector128<uint> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector128<uint> s4 = default, s5 = default, s6 = default, s7 = default;
        for (int start = 0; start < groupCount; start += FlushGroups)
        {
            nuint end = (nuint)Math.Min(groupCount, start + FlushGroups) * 16;
            Vector512<ushort> lowA = default, lowB = default, highA = default, highB = default;
            for (nuint offset = (nuint)start * 16; offset < end; offset += 64)
            {
                Vector512<byte> packed = Vector512.LoadUnsafe(ref codes, offset);
                Vector512<byte> table = Vector512.LoadUnsafe(ref tables, offset);
                Vector512<byte> lowIndex = packed & nibbleMask;
                Vector512<byte> highIndex = (packed.AsUInt16() >> 4).AsByte() & nibbleMask;
                Vector512<ushort> low = Avx512BW.Shuffle(table, lowIndex).AsUInt16();
                Vector512<ushort> high = Avx512BW.Shuffle(table, highIndex).AsUInt16();
                lowA += low;
                lowB += low >> 8;
                highA += high;
                highB += high >> 8;
            }
            Widen(Fold(lowA - (lowB << 8)), Fold(lowB), ref s0, ref s1, ref s2, ref s3);
            Widen(Fold(highA - (highB << 8)), Fold(highB), ref s4, ref s5, ref s6, ref s7);
        }
        first16 = Vector512.Create(Vector256.Create(s0, s1), Vector256.Create(s2, s3));
        last16 = Vector512.Create(Vector256.Create(s4, s5), Vector256.Create(s6, s7));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Fold(Vector512<ushort> lanes)
    {
        Vector256<ushort> half = lanes.GetLower() + lanes.GetUpper();
        return half.GetLower() + half.GetUpper();
    }
}

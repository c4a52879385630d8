using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VectorDb.Index.Scan;

public static partial class FastScanKernel
{
    /// <summary>SSSE3 (or any Vector128 shuffle): 1 group per 16-byte load; 256 iterations per flush ≤ 65280.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScanBlock128(ref byte codes, ref byte tables, int groupCount, Span<uint> sums)
    {
        Vector128<byte> nibbleMask = Vector128.Create((byte)0x0F);
        Vector128<uint> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector128<uint> s4 = default, s5 = default, s6 = default, s7 = default;
        for (int start = 0; start < groupCount; start += FlushGroups)
        {
            nuint end = (nuint)Math.Min(groupCount, start + FlushGroups) * 16;
            Vector128<ushort> lowA = default, lowB = default, highA = default, highB = default;
            for (nuint offset = (nuint)start * 16; offset < end; offset += 16)
            {
                Vector128<byte> packed = Vector128.LoadUnsafe(ref codes, offset);
                Vector128<byte> table = Vector128.LoadUnsafe(ref tables, offset);
                Vector128<byte> lowIndex = packed & nibbleMask;
                Vector128<byte> highIndex = (packed.AsUInt16() >> 4).AsByte() & nibbleMask;
                Vector128<ushort> low = Lookup(table, lowIndex).AsUInt16();
                Vector128<ushort> high = Lookup(table, highIndex).AsUInt16();
                lowA += low;
                lowB += low >> 8;
                highA += high;
                highB += high >> 8;
            }
            Widen(lowA - (lowB << 8), lowB, ref s0, ref s1, ref s2, ref s3);
            Widen(highA - (highB << 8), highB, ref s4, ref s5, ref s6, ref s7);
        }
        Store(sums, s0, s1, s2, s3, s4, s5, s6, s7);
    }

    /// <summary>16-entry byte table lookup; indices are always 0..15, where every shuffle flavour agrees.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Lookup(Vector128<byte> table, Vector128<byte> indices) =>
        Ssse3.IsSupported ? Ssse3.Shuffle(table, indices) : Vector128.Shuffle(table, indices);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VectorDb.Index.Scan;

/// <summary>Four 512-bit values, one per query of a batched scan (indexable, lives on the stack).</summary>
[InlineArray(4)]
internal struct Vector512x4
{
    private Vector512<ushort> _element;
}

/// <summary>Four candidate masks (bit v = vector v of the block), one per query of a batched scan.</summary>
[InlineArray(4)]
internal struct Mask32x4
{
    private uint _element;
}

public static partial class FastScanKernel
{
    /// <summary>Queries one batched pass scans together (<see cref="NextCandidateBlock512x4"/>).</summary>
    internal const int BatchQueries = 4;

    /// <summary>
    /// <see cref="NextCandidateBlock512"/> for four queries over the same codes: each 64-byte step of codes is loaded
    /// and split into nibbles once and looked up in the four queries' tables, so the codes cross the memory system
    /// once per four queries. Sums, masks and the returned block mean what they mean for one query, per query: a
    /// block is returned when any query has a sum ≥ its minimum (a query with minimum 65535 never has one). Exact
    /// for the shapes <see cref="HasSums16"/> accepts at <see cref="Common.SimdLevel.Vector512"/>.
    /// <para>Registers: 16 accumulators, the 4 minimums and ~8 temporaries fit the 32 AVX-512 registers, so the
    /// loop does not spill; that is why there is no 2-step unroll here as in the one-query kernel.</para>
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static int NextCandidateBlock512x4(ref byte codes, ref byte tables0, ref byte tables1, ref byte tables2,
        ref byte tables3, int groupCount, int blockBytes, int block, int endBlock, in Vector512x4 minimum,
        out Vector512x4 sums, out Mask32x4 candidates)
    {
        Vector512<ushort> minimum0 = minimum[0], minimum1 = minimum[1], minimum2 = minimum[2], minimum3 = minimum[3];
        Vector512<byte> nibbleMask = Vector512.Create((byte)0x0F), shiftRight4 = Vector512.Create(ShiftRight4Matrix).AsByte();
        nuint end = (nuint)groupCount * FastScanCodes.GroupBytes;
        for (; block < endBlock; block++)
        {
            ref byte blockCodes = ref Unsafe.Add(ref codes, (nint)block * blockBytes);
            Vector512<ushort> lowA0 = default, lowB0 = default, highA0 = default, highB0 = default;
            Vector512<ushort> lowA1 = default, lowB1 = default, highA1 = default, highB1 = default;
            Vector512<ushort> lowA2 = default, lowB2 = default, highA2 = default, highB2 = default;
            Vector512<ushort> lowA3 = default, lowB3 = default, highA3 = default, highB3 = default;
            for (nuint offset = 0; offset < end; offset += 64)
            {
                Vector512<byte> packed = Vector512.LoadUnsafe(ref blockCodes, offset);
                Vector512<byte> lowIndex = packed & nibbleMask;
                Vector512<byte> highIndex = Gfni.V512.IsSupported
                    ? Gfni.V512.GaloisFieldAffineTransform(packed, shiftRight4, 0)
                    : (packed.AsUInt16() >> 4).AsByte() & nibbleMask;
                Accumulate(Vector512.LoadUnsafe(ref tables0, offset), lowIndex, highIndex, ref lowA0, ref lowB0, ref highA0, ref highB0);
                Accumulate(Vector512.LoadUnsafe(ref tables1, offset), lowIndex, highIndex, ref lowA1, ref lowB1, ref highA1, ref highB1);
                Accumulate(Vector512.LoadUnsafe(ref tables2, offset), lowIndex, highIndex, ref lowA2, ref lowB2, ref highA2, ref highB2);
                Accumulate(Vector512.LoadUnsafe(ref tables3, offset), lowIndex, highIndex, ref lowA3, ref lowB3, ref highA3, ref highB3);
            }
            Vector512<ushort> sums0 = TransposeAdd(lowA0 - (lowB0 << 8), lowB0, highA0 - (highB0 << 8), highB0);
            Vector512<ushort> sums1 = TransposeAdd(lowA1 - (lowB1 << 8), lowB1, highA1 - (highB1 << 8), highB1);
            Vector512<ushort> sums2 = TransposeAdd(lowA2 - (lowB2 << 8), lowB2, highA2 - (highB2 << 8), highB2);
            Vector512<ushort> sums3 = TransposeAdd(lowA3 - (lowB3 << 8), lowB3, highA3 - (highB3 << 8), highB3);
            uint mask0 = (uint)Vector512.GreaterThanOrEqual(sums0, minimum0).ExtractMostSignificantBits();
            uint mask1 = (uint)Vector512.GreaterThanOrEqual(sums1, minimum1).ExtractMostSignificantBits();
            uint mask2 = (uint)Vector512.GreaterThanOrEqual(sums2, minimum2).ExtractMostSignificantBits();
            uint mask3 = (uint)Vector512.GreaterThanOrEqual(sums3, minimum3).ExtractMostSignificantBits();
            if ((mask0 | mask1 | mask2 | mask3) != 0)
            {
                sums = default;
                (sums[0], sums[1], sums[2], sums[3]) = (sums0, sums1, sums2, sums3);
                candidates = default;
                (candidates[0], candidates[1], candidates[2], candidates[3]) = (mask0, mask1, mask2, mask3);
                return block;
            }
        }
        sums = default;
        candidates = default;
        return endBlock;
    }

    /// <summary>One query's lookups of one 64-byte step added into its four 16-bit accumulators (see <see cref="Sums16x512"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector512<byte> table, Vector512<byte> lowIndex, Vector512<byte> highIndex,
        ref Vector512<ushort> lowA, ref Vector512<ushort> lowB, ref Vector512<ushort> highA, ref Vector512<ushort> highB)
    {
        Vector512<ushort> low = Avx512BW.Shuffle(table, lowIndex).AsUInt16();
        Vector512<ushort> high = Avx512BW.Shuffle(table, highIndex).AsUInt16();
        lowA += low;
        lowB += low >> 8;
        highA += high;
        highB += high >> 8;
    }
}

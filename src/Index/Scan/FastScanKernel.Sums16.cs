using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

public static partial class FastScanKernel
{
    /// <summary>
    /// Whether <see cref="Sums16x512"/> / <see cref="Sums16x256"/> can scan blocks of this shape at this level: a
    /// 256- or 512-bit kernel and at most <see cref="FlushGroups"/> groups, so that one 16-bit pass holds every sum
    /// exactly (≤ 256·255 = 65280).
    /// </summary>
    internal static bool HasSums16(SimdLevel level, int groupCount) =>
        groupCount <= FlushGroups && level is SimdLevel.Vector256 or SimdLevel.Vector512 && IsSupported(level);

    /// <summary>
    /// AVX-512BW, one block of at most <see cref="FlushGroups"/> groups: the 32 exact sums as 16-bit lanes in vector
    /// order (lane v = vector v). The caller guarantees the shape (<see cref="HasSums16"/>) and that
    /// <paramref name="codes"/> and <paramref name="tables"/> hold groupCount·16 bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<ushort> Sums16x512(ref byte codes, ref byte tables, int groupCount)
    {
        Vector512<ushort> lowA = default, lowB = default, highA = default, highB = default;
        Vector512<byte> nibbleMask = Vector512.Create((byte)0x0F), shiftRight4 = Vector512.Create(ShiftRight4Matrix).AsByte();
        nuint end = (nuint)groupCount * FastScanCodes.GroupBytes, offset = 0;
        // Two 64-byte steps (8 groups) per iteration: their lookups are added as words first (still exact mod 2^16),
        // which halves the accumulator updates' loop overhead and gives the core two independent shuffle chains.
        for (; offset + 128 <= end; offset += 128)
        {
            (Vector512<ushort> low, Vector512<ushort> high) = Lookup512(ref codes, ref tables, offset, nibbleMask, shiftRight4);
            (Vector512<ushort> low2, Vector512<ushort> high2) = Lookup512(ref codes, ref tables, offset + 64, nibbleMask, shiftRight4);
            lowA += low + low2;
            lowB += (low >> 8) + (low2 >> 8);
            highA += high + high2;
            highB += (high >> 8) + (high2 >> 8);
        }
        if (offset < end)
        {
            (Vector512<ushort> low, Vector512<ushort> high) = Lookup512(ref codes, ref tables, offset, nibbleMask, shiftRight4);
            lowA += low;
            lowB += low >> 8;
            highA += high;
            highB += high >> 8;
        }
        // Per 128-bit lane: even bytes (A − B·256) are vectors 0..7 of a half, odd bytes (B) 8..15. Sum the 4 lanes of
        // the four registers at once (a 4×4 transpose-add of 128-bit lanes): result lane i = lane sum of register i,
        // i.e. vectors 0..7, 8..15, 16..23, 24..31 in order. Sums are mod 2^16 and exact because each is ≤ 65280.
        return TransposeAdd(lowA - (lowB << 8), lowB, highA - (highB << 8), highB);
    }

    /// <summary>
    /// One 64-byte step: 4 groups × 32 vectors looked up, as 16-bit lanes holding (vector p, vector p+8) byte pairs,
    /// low nibbles (vectors 0..15) and high nibbles (16..31). With GFNI the high nibble is moved down by one affine
    /// byte transform (per-byte logical shift right by 4) instead of a 16-bit shift and a mask.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<ushort> Low, Vector512<ushort> High) Lookup512(ref byte codes, ref byte tables, nuint offset,
        Vector512<byte> nibbleMask, Vector512<byte> shiftRight4)
    {
        Vector512<byte> packed = Vector512.LoadUnsafe(ref codes, offset);
        Vector512<byte> table = Vector512.LoadUnsafe(ref tables, offset);
        Vector512<byte> highIndex = Gfni.V512.IsSupported
            ? Gfni.V512.GaloisFieldAffineTransform(packed, shiftRight4, 0)
            : (packed.AsUInt16() >> 4).AsByte() & nibbleMask;
        return (Avx512BW.Shuffle(table, packed & nibbleMask).AsUInt16(), Avx512BW.Shuffle(table, highIndex).AsUInt16());
    }

    /// <summary>
    /// GF(2) affine matrix for "x >> 4" on every byte: bit i of the result is the parity of x AND matrix byte 7−i, so
    /// bytes 7..4 select bits 4..7 of x into bits 0..3 and bytes 3..0 (zero) clear bits 4..7.
    /// </summary>
    private const ulong ShiftRight4Matrix = 0x10_20_40_80_00_00_00_00UL;

    /// <summary>AVX2 version of <see cref="Sums16x512"/>: vectors 0..15 in <paramref name="first16"/>, 16..31 in <paramref name="last16"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Sums16x256(ref byte codes, ref byte tables, int groupCount,
        out Vector256<ushort> first16, out Vector256<ushort> last16)
    {
        Vector256<byte> nibbleMask = Vector256.Create((byte)0x0F);
        Vector256<ushort> lowA = default, lowB = default, highA = default, highB = default;
        nuint end = (nuint)groupCount * FastScanCodes.GroupBytes;
        for (nuint offset = 0; offset < end; offset += 32)
        {
            Vector256<byte> packed = Vector256.LoadUnsafe(ref codes, offset);
            Accumulate(Vector256.LoadUnsafe(ref tables, offset), packed & nibbleMask,
                (packed.AsUInt16() >> 4).AsByte() & nibbleMask, ref lowA, ref lowB, ref highA, ref highB);
        }
        (first16, last16) = FoldLanes(lowA, lowB, highA, highB);
    }

    /// <summary>The 256-bit accumulators' exact sums: vectors 0..15 and 16..31 (lane-transpose-add: lane 0 + lane 1 of
    /// the even-byte and odd-byte registers side by side).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<ushort> First16, Vector256<ushort> Last16) FoldLanes(Vector256<ushort> lowA, Vector256<ushort> lowB,
        Vector256<ushort> highA, Vector256<ushort> highB)
    {
        Vector256<ushort> evenLow = lowA - (lowB << 8), evenHigh = highA - (highB << 8);
        return (Avx2.Permute2x128(evenLow, lowB, 0x20) + Avx2.Permute2x128(evenLow, lowB, 0x31),
            Avx2.Permute2x128(evenHigh, highB, 0x20) + Avx2.Permute2x128(evenHigh, highB, 0x31));
    }

    /// <summary>
    /// Scans blocks [<paramref name="block"/>, <paramref name="endBlock"/>) of a run starting at <paramref name="codes"/>
    /// until one has a row that passes <paramref name="filter"/> (row = block·32 + vector); returns its index with its
    /// sums and mask (bit v = vector v), or <paramref name="endBlock"/>. A leaf loop with no calls, so the kernel's
    /// registers stay live across blocks; kept out of line so that the caller's offer and threshold code cannot push
    /// them onto the stack.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static int NextCandidateBlock512<TFilter>(ref byte codes, ref byte tables, int groupCount, int blockBytes, int block,
        int endBlock, scoped in TFilter filter, out Vector512<ushort> sums, out uint candidates)
        where TFilter : IRowFilter<TFilter>, allows ref struct
    {
        for (; block < endBlock; block++)
        {
            Vector512<ushort> blockSums = Sums16x512(ref Unsafe.Add(ref codes, (nint)block * blockBytes), ref tables, groupCount);
            uint mask = filter.Pass(blockSums, (nint)block * 32);
            if (mask != 0)
            {
                sums = blockSums;
                candidates = mask;
                return block;
            }
        }
        sums = default;
        candidates = 0;
        return endBlock;
    }

    /// <summary>256-bit version of <see cref="NextCandidateBlock512"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static int NextCandidateBlock256<TFilter>(ref byte codes, ref byte tables, int groupCount, int blockBytes, int block,
        int endBlock, scoped in TFilter filter, out Vector256<ushort> first16, out Vector256<ushort> last16, out uint candidates)
        where TFilter : IRowFilter<TFilter>, allows ref struct
    {
        for (; block < endBlock; block++)
        {
            Sums16x256(ref Unsafe.Add(ref codes, (nint)block * blockBytes), ref tables, groupCount,
                out Vector256<ushort> blockFirst16, out Vector256<ushort> blockLast16);
            uint mask = filter.Pass(blockFirst16, blockLast16, (nint)block * 32);
            if (mask != 0)
            {
                first16 = blockFirst16;
                last16 = blockLast16;
                candidates = mask;
                return block;
            }
        }
        first16 = last16 = default;
        candidates = 0;
        return endBlock;
    }

    /// <summary>
    /// Scores a full block from its 16-bit sums exactly as <see cref="ScoreFullBlock"/> does (same float operations,
    /// so the same bits): raw = fma(scale, S, bias), score = A·raw (+ B); returns the mask of scores ≥ threshold.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint ScoreSums16(Vector512<ushort> sums, float scale, float bias, ReadOnlySpan<float> factors,
        ReadOnlySpan<float> offsets, float threshold, Span<float> scores)
    {
        Vector512<float> scales = Vector512.Create(scale), biases = Vector512.Create(bias);
        Vector512<float> raw0 = Vector512.FusedMultiplyAdd(scales, Vector512.ConvertToSingle(Avx512F.ConvertToVector512UInt32(sums.GetLower())), biases);
        Vector512<float> raw16 = Vector512.FusedMultiplyAdd(scales, Vector512.ConvertToSingle(Avx512F.ConvertToVector512UInt32(sums.GetUpper())), biases);
        return BlockScoring.Score(raw0, factors, offsets, threshold, scores, 0)
            | BlockScoring.Score(raw16, factors, offsets, threshold, scores, 16) << 16;
    }

    /// <summary>256-bit version of <see cref="ScoreSums16(Vector512{ushort}, float, float, ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint ScoreSums16(Vector256<ushort> first16, Vector256<ushort> last16, float scale, float bias,
        ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold, Span<float> scores)
    {
        Vector256<float> scales = Vector256.Create(scale), biases = Vector256.Create(bias);
        Vector256<float> raw0 = Vector256.FusedMultiplyAdd(scales, Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(first16.GetLower())), biases);
        Vector256<float> raw8 = Vector256.FusedMultiplyAdd(scales, Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(first16.GetUpper())), biases);
        Vector256<float> raw16 = Vector256.FusedMultiplyAdd(scales, Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(last16.GetLower())), biases);
        Vector256<float> raw24 = Vector256.FusedMultiplyAdd(scales, Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(last16.GetUpper())), biases);
        return BlockScoring.Score(raw0, factors, offsets, threshold, scores, 0)
            | BlockScoring.Score(raw8, factors, offsets, threshold, scores, 8) << 8
            | BlockScoring.Score(raw16, factors, offsets, threshold, scores, 16) << 16
            | BlockScoring.Score(raw24, factors, offsets, threshold, scores, 24) << 24;
    }

    /// <summary>Result lane i = sum of the four 128-bit lanes of register i (16-bit wrap-around adds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> TransposeAdd(Vector512<ushort> r0, Vector512<ushort> r1, Vector512<ushort> r2, Vector512<ushort> r3)
    {
        // Shuffle4x128 control: result lanes 0,1 from the left operand, 2,3 from the right, 2 bits per lane.
        const byte lanes01 = 0b01_00_01_00, lanes23 = 0b11_10_11_10, lanes02 = 0b10_00_10_00, lanes13 = 0b11_01_11_01;
        Vector512<ulong> a = r0.AsUInt64(), b = r1.AsUInt64(), c = r2.AsUInt64(), d = r3.AsUInt64();
        // pair01 lanes: r0 0+2, r0 1+3, r1 0+2, r1 1+3; pair23 likewise for r2, r3.
        Vector512<ushort> pair01 = Avx512F.Shuffle4x128(a, b, lanes01).AsUInt16() + Avx512F.Shuffle4x128(a, b, lanes23).AsUInt16();
        Vector512<ushort> pair23 = Avx512F.Shuffle4x128(c, d, lanes01).AsUInt16() + Avx512F.Shuffle4x128(c, d, lanes23).AsUInt16();
        return Avx512F.Shuffle4x128(pair01.AsUInt64(), pair23.AsUInt64(), lanes02).AsUInt16()
            + Avx512F.Shuffle4x128(pair01.AsUInt64(), pair23.AsUInt64(), lanes13).AsUInt16();
    }
}

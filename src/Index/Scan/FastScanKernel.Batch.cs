using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VectorDb.Index.Common;

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

/// <summary>
/// One width of the pruned fast scan: the leaf loops for one query and for a batch (and how many queries a batch
/// pass takes), and the float epilogue. Static abstract members, so the generic drivers (<c>FlatScan.SearchFullBlocks</c>,
/// <c>FlatScan.SearchFastScanBatch</c>) are specialised per width with no dispatch. Sums travel as 512-bit values at
/// every width (lane v = vector v).
/// </summary>
internal interface IFastScanWidth
{
    /// <summary>One query's leaf loop (<see cref="FastScanKernel.NextCandidateBlock512"/> / <c>256</c>): the first block
    /// from <paramref name="block"/> on with a row that passes <paramref name="filter"/>, its sums and mask.</summary>
    static abstract int NextForOneQuery<TFilter>(ref byte codes, ref byte tables, int groupCount, int blockBytes, int block,
        int endBlock, scoped in TFilter filter, out Vector512<ushort> sums, out uint candidates)
        where TFilter : IRowFilter<TFilter>, allows ref struct;

    /// <summary>Queries one pass scans together.</summary>
    static abstract int Queries { get; }

    /// <summary>
    /// From <paramref name="block"/> on, the first block where some query q has a row that passes its filter; its sums
    /// per query (lane v = vector v, in a 512-bit value at every width) and masks. Slots past <see cref="Queries"/> are
    /// ignored; a slot whose filter is <see cref="IRowFilter{TSelf}.None"/> never has a candidate.
    /// </summary>
    static abstract int Next<TFilter>(ref byte codes, ref byte tables0, ref byte tables1, ref byte tables2, ref byte tables3,
        int groupCount, int blockBytes, int block, int endBlock, scoped in TFilter filter0, scoped in TFilter filter1,
        scoped in TFilter filter2, scoped in TFilter filter3, out Vector512x4 sums, out Mask32x4 candidates)
        where TFilter : IRowFilter<TFilter>, allows ref struct;

    /// <summary><see cref="FastScanKernel.ScoreSums16(Vector512{ushort}, float, float, ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/> at this width.</summary>
    static abstract uint Score(Vector512<ushort> sums, float scale, float bias, ReadOnlySpan<float> factors,
        ReadOnlySpan<float> offsets, float threshold, Span<float> scores);
}

/// <summary>AVX-512BW: four queries per batch pass (<see cref="FastScanKernel.NextCandidateBlock512x4"/>).</summary>
internal readonly struct FastScanWidth512 : IFastScanWidth
{
    public static int Queries => 4;

    public static int NextForOneQuery<TFilter>(ref byte codes, ref byte tables, int groupCount, int blockBytes, int block,
        int endBlock, scoped in TFilter filter, out Vector512<ushort> sums, out uint candidates)
        where TFilter : IRowFilter<TFilter>, allows ref struct =>
        FastScanKernel.NextCandidateBlock512(ref codes, ref tables, groupCount, blockBytes, block, endBlock, in filter,
            out sums, out candidates);

    public static int Next<TFilter>(ref byte codes, ref byte tables0, ref byte tables1, ref byte tables2, ref byte tables3,
        int groupCount, int blockBytes, int block, int endBlock, scoped in TFilter filter0, scoped in TFilter filter1,
        scoped in TFilter filter2, scoped in TFilter filter3, out Vector512x4 sums, out Mask32x4 candidates)
        where TFilter : IRowFilter<TFilter>, allows ref struct =>
        FastScanKernel.NextCandidateBlock512x4(ref codes, ref tables0, ref tables1, ref tables2, ref tables3, groupCount,
            blockBytes, block, endBlock, in filter0, in filter1, in filter2, in filter3, out sums, out candidates);

    public static uint Score(Vector512<ushort> sums, float scale, float bias, ReadOnlySpan<float> factors,
        ReadOnlySpan<float> offsets, float threshold, Span<float> scores) =>
        FastScanKernel.ScoreSums16(sums, scale, bias, factors, offsets, threshold, scores);
}

/// <summary>AVX2: two queries per batch pass (<see cref="FastScanKernel.NextCandidateBlock256x2"/>; its 8 accumulators
/// and temporaries fit the 16 AVX2 registers, four queries would not).</summary>
internal readonly struct FastScanWidth256 : IFastScanWidth
{
    public static int Queries => 2;

    public static int NextForOneQuery<TFilter>(ref byte codes, ref byte tables, int groupCount, int blockBytes, int block,
        int endBlock, scoped in TFilter filter, out Vector512<ushort> sums, out uint candidates)
        where TFilter : IRowFilter<TFilter>, allows ref struct
    {
        int found = FastScanKernel.NextCandidateBlock256(ref codes, ref tables, groupCount, blockBytes, block, endBlock,
            in filter, out Vector256<ushort> first16, out Vector256<ushort> last16, out candidates);
        sums = Vector512.Create(first16, last16);
        return found;
    }

    public static int Next<TFilter>(ref byte codes, ref byte tables0, ref byte tables1, ref byte tables2, ref byte tables3,
        int groupCount, int blockBytes, int block, int endBlock, scoped in TFilter filter0, scoped in TFilter filter1,
        scoped in TFilter filter2, scoped in TFilter filter3, out Vector512x4 sums, out Mask32x4 candidates)
        where TFilter : IRowFilter<TFilter>, allows ref struct =>
        FastScanKernel.NextCandidateBlock256x2(ref codes, ref tables0, ref tables1, groupCount, blockBytes, block, endBlock,
            in filter0, in filter1, out sums, out candidates);

    public static uint Score(Vector512<ushort> sums, float scale, float bias, ReadOnlySpan<float> factors,
        ReadOnlySpan<float> offsets, float threshold, Span<float> scores) =>
        FastScanKernel.ScoreSums16(sums.GetLower(), sums.GetUpper(), scale, bias, factors, offsets, threshold, scores);
}

public static partial class FastScanKernel
{
    /// <summary>Most queries one batched pass scans together at any level (<see cref="IFastScanWidth.Queries"/>).</summary>
    internal const int BatchQueries = 4;

    /// <summary>Queries per batched pass at <paramref name="level"/>: 4 at 512 bits, 2 at 256, 0 (no batched kernel) below
    /// or where the CPU lacks the instructions.</summary>
    internal static int BatchQueriesAt(SimdLevel level) => level switch
    {
        SimdLevel.Vector512 when IsSupported(level) => FastScanWidth512.Queries,
        SimdLevel.Vector256 when IsSupported(level) => FastScanWidth256.Queries,
        _ => 0,
    };

    /// <summary>
    /// <see cref="NextCandidateBlock512"/> for four queries over the same codes: each 64-byte step of codes is loaded
    /// and split into nibbles once and looked up in the four queries' tables, so the codes cross the memory system
    /// once per four queries. Sums, masks and the returned block mean what they mean for one query, per query (see
    /// <see cref="IFastScanWidth.Next"/>). Exact for the shapes <see cref="HasSums16"/> accepts.
    /// <para>Registers: 16 accumulators and ~8 temporaries fit the 32 AVX-512 registers (the filters are applied after
    /// the accumulation, when only the four sums are live), so the
    /// loop does not spill; that is why there is no 2-step unroll here as in the one-query kernel.</para>
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static int NextCandidateBlock512x4<TFilter>(ref byte codes, ref byte tables0, ref byte tables1, ref byte tables2,
        ref byte tables3, int groupCount, int blockBytes, int block, int endBlock, scoped in TFilter filter0,
        scoped in TFilter filter1, scoped in TFilter filter2, scoped in TFilter filter3, out Vector512x4 sums,
        out Mask32x4 candidates)
        where TFilter : IRowFilter<TFilter>, allows ref struct
    {
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
            nint row = (nint)block * 32;
            uint mask0 = filter0.Pass(sums0, row), mask1 = filter1.Pass(sums1, row);
            uint mask2 = filter2.Pass(sums2, row), mask3 = filter3.Pass(sums3, row);
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

    /// <summary>
    /// AVX2 version for two queries (filters 0 and 1, slots 0 and 1 of <paramref name="sums"/> and
    /// <paramref name="candidates"/>; the other slots are left empty): each 32-byte step of codes is loaded and split
    /// once and looked up in both queries' tables. Same results as <see cref="NextCandidateBlock256"/> per query.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static int NextCandidateBlock256x2<TFilter>(ref byte codes, ref byte tables0, ref byte tables1, int groupCount,
        int blockBytes, int block, int endBlock, scoped in TFilter filter0, scoped in TFilter filter1, out Vector512x4 sums,
        out Mask32x4 candidates)
        where TFilter : IRowFilter<TFilter>, allows ref struct
    {
        Vector256<byte> nibbleMask = Vector256.Create((byte)0x0F);
        nuint end = (nuint)groupCount * FastScanCodes.GroupBytes;
        for (; block < endBlock; block++)
        {
            ref byte blockCodes = ref Unsafe.Add(ref codes, (nint)block * blockBytes);
            Vector256<ushort> lowA0 = default, lowB0 = default, highA0 = default, highB0 = default;
            Vector256<ushort> lowA1 = default, lowB1 = default, highA1 = default, highB1 = default;
            for (nuint offset = 0; offset < end; offset += 32)
            {
                Vector256<byte> packed = Vector256.LoadUnsafe(ref blockCodes, offset);
                Vector256<byte> lowIndex = packed & nibbleMask;
                Vector256<byte> highIndex = (packed.AsUInt16() >> 4).AsByte() & nibbleMask;
                Accumulate(Vector256.LoadUnsafe(ref tables0, offset), lowIndex, highIndex, ref lowA0, ref lowB0, ref highA0, ref highB0);
                Accumulate(Vector256.LoadUnsafe(ref tables1, offset), lowIndex, highIndex, ref lowA1, ref lowB1, ref highA1, ref highB1);
            }
            (Vector256<ushort> first0, Vector256<ushort> last0) = FoldLanes(lowA0, lowB0, highA0, highB0);
            (Vector256<ushort> first1, Vector256<ushort> last1) = FoldLanes(lowA1, lowB1, highA1, highB1);
            nint row = (nint)block * 32;
            uint mask0 = filter0.Pass(first0, last0, row), mask1 = filter1.Pass(first1, last1, row);
            if ((mask0 | mask1) != 0)
            {
                sums = default;
                (sums[0], sums[1]) = (Vector512.Create(first0, last0), Vector512.Create(first1, last1));
                candidates = default;
                (candidates[0], candidates[1]) = (mask0, mask1);
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

    /// <summary>The 32-byte version of <see cref="Accumulate(Vector512{byte}, Vector512{byte}, Vector512{byte}, ref Vector512{ushort}, ref Vector512{ushort}, ref Vector512{ushort}, ref Vector512{ushort})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector256<byte> table, Vector256<byte> lowIndex, Vector256<byte> highIndex,
        ref Vector256<ushort> lowA, ref Vector256<ushort> lowB, ref Vector256<ushort> highA, ref Vector256<ushort> highB)
    {
        Vector256<ushort> low = Avx2.Shuffle(table, lowIndex).AsUInt16();
        Vector256<ushort> high = Avx2.Shuffle(table, highIndex).AsUInt16();
        lowA += low;
        lowB += low >> 8;
        highA += high;
        highB += high >> 8;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

/// <summary>
/// 4-bit fast-scan kernels: for each of the 32 vectors of a <see cref="FastScanCodes"/> block, the exact integer sum
/// S_v = Σ_g q_g[nibble_g(v)] over the quantized tables of a <see cref="FastScanLut"/>. Every level returns the
/// same integers; the scalar kernel is the reference (tests also check all of them against an independent oracle).
/// <para>Accumulation: shuffles produce one byte per vector and group; the SIMD kernels add the byte pairs of each
/// 16-bit lane into two 16-bit accumulators (FAISS's trick: A += pair, B += pair >> 8; the even byte's sum is
/// A − (B &lt;&lt; 8) mod 2^16), fold the 128-bit lanes, and widen to 32 bits every <see cref="FlushGroups"/>
/// groups. A 16-bit value then never holds more than 256·255 = 65280, so nothing overflows for any dimension.</para>
/// </summary>
public static partial class FastScanKernel
{
    /// <summary>Groups accumulated in 16 bits before widening: 256·255 = 65280 &lt; 2^16 after folding lanes.</summary>
    public const int FlushGroups = 256;

    /// <summary>Whether <paramref name="level"/> has a kernel that can run in this process.</summary>
    public static bool IsSupported(SimdLevel level) => level switch
    {
        SimdLevel.Scalar => true,
        SimdLevel.Vector128 => Vector128.IsHardwareAccelerated,
        SimdLevel.Vector256 => Avx2.IsSupported,
        SimdLevel.Vector512 => Avx512BW.IsSupported,
        _ => false,
    };

    /// <summary>Scans one block: sums[v] = Σ_g tables[g·16 + nibble_g(v)] for v in 0..31.</summary>
    public static void ScanBlock(SimdLevel level, FastScanCodes codes, int block, FastScanLut lut, Span<uint> sums)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(lut);
        if ((uint)block >= (uint)codes.BlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(block), block, $"the store has {codes.BlockCount} blocks.");
        }
        ScanBlock(level, codes.Block(block), lut.Tables, sums);
    }

    /// <summary>Scans one block given its raw bytes and the quantized tables (both GroupCount·16 bytes).</summary>
    public static void ScanBlock(SimdLevel level, ReadOnlySpan<byte> blockCodes, ReadOnlySpan<byte> tables, Span<uint> sums)
    {
        Validate(level, blockCodes, tables, sums.Length, nameof(sums));
        int groupCount = tables.Length / FastScanCodes.GroupBytes;
        ref byte codesRef = ref MemoryMarshal.GetReference(blockCodes);
        ref byte tablesRef = ref MemoryMarshal.GetReference(tables);
        switch (level)
        {
            case SimdLevel.Vector512:
            {
                Accumulate512(ref codesRef, ref tablesRef, groupCount, out Vector512<uint> first16, out Vector512<uint> last16);
                ref uint target = ref MemoryMarshal.GetReference(sums);
                first16.StoreUnsafe(ref target, 0);
                last16.StoreUnsafe(ref target, 16);
                break;
            }
            case SimdLevel.Vector256:
            {
                Accumulate256(ref codesRef, ref tablesRef, groupCount,
                    out Vector256<uint> sums0, out Vector256<uint> sums8, out Vector256<uint> sums16, out Vector256<uint> sums24);
                ref uint target = ref MemoryMarshal.GetReference(sums);
                sums0.StoreUnsafe(ref target, 0);
                sums8.StoreUnsafe(ref target, 8);
                sums16.StoreUnsafe(ref target, 16);
                sums24.StoreUnsafe(ref target, 24);
                break;
            }
            case SimdLevel.Vector128:
                ScanBlock128(ref codesRef, ref tablesRef, groupCount, sums);
                break;
            default:
                ScanBlockScalar(blockCodes, tables, groupCount, sums);
                break;
        }
    }

    private static void Validate(SimdLevel level, ReadOnlySpan<byte> blockCodes, ReadOnlySpan<byte> tables, int outputLength, string outputName)
    {
        if (blockCodes.Length != tables.Length || tables.Length % (4 * FastScanCodes.GroupBytes) != 0)
        {
            throw new ArgumentException(
                $"block ({blockCodes.Length} B) and tables ({tables.Length} B) must both be GroupCount·16 bytes with GroupCount a multiple of 4: build the tables for this store's dimension and bits.");
        }
        if (outputLength < FastScanCodes.BlockSize)
        {
            throw new ArgumentException($"{outputName} needs room for {FastScanCodes.BlockSize} vectors, has {outputLength}.", outputName);
        }
        if (!IsSupported(level))
        {
            throw new PlatformNotSupportedException($"{level} fast-scan kernel cannot run here; use one of SimdCapabilities.Available.");
        }
    }

    /// <summary>Reference kernel: one table lookup per vector and group, 32-bit sums.</summary>
    private static void ScanBlockScalar(ReadOnlySpan<byte> block, ReadOnlySpan<byte> tables, int groupCount, Span<uint> sums)
    {
        sums.Slice(0, FastScanCodes.BlockSize).Clear();
        for (int g = 0; g < groupCount; g++)
        {
            ReadOnlySpan<byte> table = tables.Slice(g * 16, 16);
            ReadOnlySpan<byte> packed = block.Slice(g * 16, 16);
            for (int p = 0; p < 16; p++)
            {
                int lane = FastScanCodes.LaneAt(p);
                sums[lane] += table[packed[p] & 0xF];
                sums[16 + lane] += table[packed[p] >> 4];
            }
        }
    }

    /// <summary>Adds one flush's folded 16-bit sums (even bytes = vectors 0..7, odd = 8..15 of a half) to 32-bit sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Widen(Vector128<ushort> evenSums, Vector128<ushort> oddSums, ref Vector128<uint> v0, ref Vector128<uint> v4,
        ref Vector128<uint> v8, ref Vector128<uint> v12)
    {
        v0 += Vector128.WidenLower(evenSums);
        v4 += Vector128.WidenUpper(evenSums);
        v8 += Vector128.WidenLower(oddSums);
        v12 += Vector128.WidenUpper(oddSums);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<uint> sums, Vector128<uint> s0, Vector128<uint> s1, Vector128<uint> s2, Vector128<uint> s3,
        Vector128<uint> s4, Vector128<uint> s5, Vector128<uint> s6, Vector128<uint> s7)
    {
        ref uint target = ref MemoryMarshal.GetReference(sums);
        s0.StoreUnsafe(ref target, 0);
        s1.StoreUnsafe(ref target, 4);
        s2.StoreUnsafe(ref target, 8);
        s3.StoreUnsafe(ref target, 12);
        s4.StoreUnsafe(ref target, 16);
        s5.StoreUnsafe(ref target, 20);
        s6.StoreUnsafe(ref target, 24);
        s7.StoreUnsafe(ref target, 28);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

/// <summary>
/// General kernel for <see cref="ByteCodes"/> (any width, used for 3, 5, 6, 7, 8 bits): raw_v = Σ_j L[j·2^b + code_jv]
/// in float32, coordinates added in order j = 0..d−1 for every vector, so the SIMD kernel (one vector per lane,
/// AVX2 gathers) gives the scalar kernel's floats bit for bit.
/// <para>Levels: Vector512 and Vector256 run the AVX2 gather kernel (.NET 10 exposes no 512-bit gather); Vector128
/// and Scalar run the scalar loop (no 128-bit gather without AVX2).</para>
/// </summary>
public static class GatherKernel
{
    public static bool IsSupported(SimdLevel level) => level switch
    {
        SimdLevel.Scalar or SimdLevel.Vector128 => true,
        SimdLevel.Vector256 or SimdLevel.Vector512 => Avx2.IsSupported,
        _ => false,
    };

    /// <summary>raw[v] for the 32 vectors of block <paramref name="block"/>.</summary>
    public static void ScanBlock(SimdLevel level, ByteCodes codes, int block, FloatLut lut, Span<float> raw)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(lut);
        if (lut.Dimension != codes.Dimension || lut.BitsPerCode != codes.BitsPerCode)
        {
            throw new ArgumentException(
                $"tables are for d={lut.Dimension}, b={lut.BitsPerCode} but the store holds d={codes.Dimension}, b={codes.BitsPerCode}.", nameof(lut));
        }
        if ((uint)block >= (uint)codes.BlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(block), block, $"the store has {codes.BlockCount} blocks.");
        }
        if (raw.Length < FastScanCodes.BlockSize)
        {
            throw new ArgumentException($"raw needs room for {FastScanCodes.BlockSize} vectors, has {raw.Length}.", nameof(raw));
        }
        if (!IsSupported(level))
        {
            throw new PlatformNotSupportedException($"{level} gather kernel cannot run here; use one of SimdCapabilities.Available.");
        }
        if (level >= SimdLevel.Vector256)
        {
            ScanBlockAvx2(codes.Block(block), lut.Entries, codes.Dimension, 1 << codes.BitsPerCode, raw);
        }
        else
        {
            ScanBlockScalar(codes.Block(block), lut.Entries, codes.Dimension, 1 << codes.BitsPerCode, raw);
        }
    }

    private static void ScanBlockScalar(ReadOnlySpan<byte> block, ReadOnlySpan<float> lut, int dimension, int entries, Span<float> raw)
    {
        for (int v = 0; v < FastScanCodes.BlockSize; v++)
        {
            float sum = 0;
            for (int j = 0; j < dimension; j++)
            {
                sum += lut[j * entries + block[j * FastScanCodes.BlockSize + v]];
            }
            raw[v] = sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScanBlockAvx2(ReadOnlySpan<byte> block, ReadOnlySpan<float> lut, int dimension, int entries, Span<float> raw)
    {
        Vector256<float> sum0 = default, sum8 = default, sum16 = default, sum24 = default;
        fixed (byte* codes = block)
        fixed (float* table = lut)
        {
            byte* codeRow = codes;
            float* tableRow = table;
            for (int j = 0; j < dimension; j++, codeRow += FastScanCodes.BlockSize, tableRow += entries)
            {
                // Codes are < 2^b ≤ 256 = entries of this row, so every gathered address is inside the table.
                sum0 += Avx2.GatherVector256(tableRow, Avx2.ConvertToVector256Int32(codeRow), 4);
                sum8 += Avx2.GatherVector256(tableRow, Avx2.ConvertToVector256Int32(codeRow + 8), 4);
                sum16 += Avx2.GatherVector256(tableRow, Avx2.ConvertToVector256Int32(codeRow + 16), 4);
                sum24 += Avx2.GatherVector256(tableRow, Avx2.ConvertToVector256Int32(codeRow + 24), 4);
            }
        }
        ref float target = ref MemoryMarshal.GetReference(raw);
        sum0.StoreUnsafe(ref target, 0);
        sum8.StoreUnsafe(ref target, 8);
        sum16.StoreUnsafe(ref target, 16);
        sum24.StoreUnsafe(ref target, 24);
    }
}

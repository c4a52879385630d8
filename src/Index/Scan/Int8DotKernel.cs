using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

/// <summary>
/// Integer dot products for <see cref="Int8GridCodes"/>: dots[v] = Σ_j q_j·(g_jv + 128) − Correction = Σ_j q_j·g_jv,
/// exact in int32 (|q·u| ≤ 127·255 per coordinate, d ≤ 65536). Every level returns the same integers.
/// <para>Levels: Vector512 and Vector256 run VPDPBUSD on 256-bit registers when AVX-VNNI is present (.NET 10 exposes
/// no 512-bit VNNI); otherwise, and at Vector128 and Scalar, the scalar loop runs.</para>
/// </summary>
public static class Int8DotKernel
{
    /// <summary>Whether the level runs the VNNI kernel here (otherwise it falls back to scalar, same result).</summary>
    public static bool UsesVnni(SimdLevel level) => level >= SimdLevel.Vector256 && AvxVnni.IsSupported;

    public static void ScanBlock(SimdLevel level, Int8GridCodes codes, int block, Int8Query query, Span<int> dots)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(query);
        if (query.Dimension != codes.Dimension)
        {
            throw new ArgumentException($"query has d={query.Dimension}, the store d={codes.Dimension}.", nameof(query));
        }
        if ((uint)block >= (uint)codes.BlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(block), block, $"the store has {codes.BlockCount} blocks.");
        }
        if (dots.Length < FastScanCodes.BlockSize)
        {
            throw new ArgumentException($"dots needs room for {FastScanCodes.BlockSize} vectors, has {dots.Length}.", nameof(dots));
        }
        if (UsesVnni(level))
        {
            ScanBlockVnni(codes.Block(block), query.Weights, codes.QuadCount, query.Correction, dots);
        }
        else
        {
            ScanBlockScalar(codes.Block(block), query.Weights, codes.QuadCount, query.Correction, dots);
        }
    }

    private static void ScanBlockScalar(ReadOnlySpan<byte> block, ReadOnlySpan<sbyte> weights, int quads, int correction, Span<int> dots)
    {
        for (int v = 0; v < FastScanCodes.BlockSize; v++)
        {
            int sum = 0;
            for (int q = 0; q < quads; q++)
            {
                for (int i = 0; i < 4; i++)
                {
                    sum += weights[4 * q + i] * block[q * Int8GridCodes.QuadBytes + 4 * v + i];
                }
            }
            dots[v] = sum - correction;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScanBlockVnni(ReadOnlySpan<byte> block, ReadOnlySpan<sbyte> weights, int quads, int correction, Span<int> dots)
    {
        ref byte codes = ref MemoryMarshal.GetReference(block);
        ref int quadWeights = ref Unsafe.As<sbyte, int>(ref MemoryMarshal.GetReference(weights));
        Vector256<int> sum0 = default, sum8 = default, sum16 = default, sum24 = default;
        for (int q = 0; q < quads; q++)
        {
            Vector256<sbyte> weight = Vector256.Create(Unsafe.Add(ref quadWeights, q)).AsSByte();
            nuint offset = (nuint)q * Int8GridCodes.QuadBytes;
            sum0 = AvxVnni.MultiplyWideningAndAdd(sum0, Vector256.LoadUnsafe(ref codes, offset), weight);
            sum8 = AvxVnni.MultiplyWideningAndAdd(sum8, Vector256.LoadUnsafe(ref codes, offset + 32), weight);
            sum16 = AvxVnni.MultiplyWideningAndAdd(sum16, Vector256.LoadUnsafe(ref codes, offset + 64), weight);
            sum24 = AvxVnni.MultiplyWideningAndAdd(sum24, Vector256.LoadUnsafe(ref codes, offset + 96), weight);
        }
        Vector256<int> bias = Vector256.Create(correction);
        ref int target = ref MemoryMarshal.GetReference(dots);
        (sum0 - bias).StoreUnsafe(ref target, 0);
        (sum8 - bias).StoreUnsafe(ref target, 8);
        (sum16 - bias).StoreUnsafe(ref target, 16);
        (sum24 - bias).StoreUnsafe(ref target, 24);
    }
}

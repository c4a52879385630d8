using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

public static partial class FastScanKernel
{
    /// <summary>
    /// Fused scan of one full block: integer sums → raw = fma(scale, S, bias) → score = A·raw (+ B) → mask of scores ≥
    /// threshold, kept in registers at the 512 and 256 levels. Same scores as <see cref="ScanBlock(SimdLevel,
    /// ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{uint})"/> followed by <see cref="FastScanLut.Dequantize"/> and
    /// the scoring step. <paramref name="factors"/> (and non-empty <paramref name="offsets"/>) hold exactly 32 rows.
    /// </summary>
    internal static uint ScoreFullBlock(SimdLevel level, ReadOnlySpan<byte> blockCodes, ReadOnlySpan<byte> tables,
        float scale, float bias, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold, Span<float> scores)
    {
        Validate(level, blockCodes, tables, scores.Length, nameof(scores));
        if (factors.Length != FastScanCodes.BlockSize || (!offsets.IsEmpty && offsets.Length != FastScanCodes.BlockSize))
        {
            throw new ArgumentException("a full block takes exactly 32 factors and 32 or no offsets.", nameof(factors));
        }
        int groupCount = tables.Length / FastScanCodes.GroupBytes;
        ref byte codesRef = ref MemoryMarshal.GetReference(blockCodes);
        ref byte tablesRef = ref MemoryMarshal.GetReference(tables);
        if (level == SimdLevel.Vector512)
        {
            Accumulate512(ref codesRef, ref tablesRef, groupCount, out Vector512<uint> first16, out Vector512<uint> last16);
            Vector512<float> scales = Vector512.Create(scale), biases = Vector512.Create(bias);
            Vector512<float> raw0 = Vector512.FusedMultiplyAdd(scales, Vector512.ConvertToSingle(first16), biases);
            Vector512<float> raw16 = Vector512.FusedMultiplyAdd(scales, Vector512.ConvertToSingle(last16), biases);
            return BlockScoring.Score(raw0, factors, offsets, threshold, scores, 0)
                | BlockScoring.Score(raw16, factors, offsets, threshold, scores, 16) << 16;
        }
        if (level == SimdLevel.Vector256)
        {
            Accumulate256(ref codesRef, ref tablesRef, groupCount,
                out Vector256<uint> sums0, out Vector256<uint> sums8, out Vector256<uint> sums16, out Vector256<uint> sums24);
            Vector256<float> scales = Vector256.Create(scale), biases = Vector256.Create(bias);
            return BlockScoring.Score(Vector256.FusedMultiplyAdd(scales, Vector256.ConvertToSingle(sums0), biases), factors, offsets, threshold, scores, 0)
                | BlockScoring.Score(Vector256.FusedMultiplyAdd(scales, Vector256.ConvertToSingle(sums8), biases), factors, offsets, threshold, scores, 8) << 8
                | BlockScoring.Score(Vector256.FusedMultiplyAdd(scales, Vector256.ConvertToSingle(sums16), biases), factors, offsets, threshold, scores, 16) << 16
                | BlockScoring.Score(Vector256.FusedMultiplyAdd(scales, Vector256.ConvertToSingle(sums24), biases), factors, offsets, threshold, scores, 24) << 24;
        }
        return ScoreFullBlockNarrow(level, blockCodes, tables, scale, bias, factors, offsets, threshold, scores);
    }

    /// <summary>Vector128 and scalar: kernel sums through memory (kept out of the wide path's frame).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint ScoreFullBlockNarrow(SimdLevel level, ReadOnlySpan<byte> blockCodes, ReadOnlySpan<byte> tables,
        float scale, float bias, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold, Span<float> scores)
    {
        Span<uint> sums = stackalloc uint[FastScanCodes.BlockSize];
        Span<float> raw = stackalloc float[FastScanCodes.BlockSize];
        ScanBlock(level, blockCodes, tables, sums);
        FastScanScorer.Dequantize(sums, raw, scale, bias, level);
        return BlockScoring.ScoreRaw(raw, factors, offsets, threshold, scores, level);
    }
}

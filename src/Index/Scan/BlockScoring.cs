using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

/// <summary>
/// The step after a kernel: final score = A·raw (or fma(raw, A, B) with per-vector offsets) and the mask of scores
/// at least the collector's threshold. IEEE multiply and fused multiply-add round the same at every width, so every
/// level gives the same scores bit for bit.
/// </summary>
internal static class BlockScoring
{
    /// <summary>scores[v] = A_v·raw[v] (+ B_v) for v &lt; factors.Length (≤ 32); bit v set iff scores[v] ≥ threshold.</summary>
    public static uint ScoreRaw(ReadOnlySpan<float> raw, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets,
        float threshold, Span<float> scores, SimdLevel level)
    {
        int rows = factors.Length;
        if (rows == FastScanCodes.BlockSize && level >= SimdLevel.Vector256 && Vector256.IsHardwareAccelerated)
        {
            ref float rawRef = ref MemoryMarshal.GetReference(raw);
            uint mask = 0;
            for (int i = 0; i < FastScanCodes.BlockSize; i += 8)
            {
                mask |= Score(Vector256.LoadUnsafe(ref rawRef, (nuint)i), factors, offsets, threshold, scores, i) << i;
            }
            return mask;
        }
        uint result = 0;
        for (int v = 0; v < rows; v++)
        {
            float score = offsets.IsEmpty ? raw[v] * factors[v] : MathF.FusedMultiplyAdd(raw[v], factors[v], offsets[v]);
            scores[v] = score;
            if (score >= threshold)
            {
                result |= 1u << v;
            }
        }
        return result;
    }

    /// <summary>Scores 8 rows starting at <paramref name="start"/>; returns their 8-bit ≥-threshold mask.</summary>
    public static uint Score(Vector256<float> raw, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold,
        Span<float> scores, int start)
    {
        Vector256<float> factor = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(factors), (nuint)start);
        Vector256<float> score = offsets.IsEmpty
            ? raw * factor
            : Vector256.FusedMultiplyAdd(raw, factor, Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(offsets), (nuint)start));
        score.StoreUnsafe(ref MemoryMarshal.GetReference(scores), (nuint)start);
        return Vector256.GreaterThanOrEqual(score, Vector256.Create(threshold)).ExtractMostSignificantBits();
    }

    /// <summary>Scores 16 rows starting at <paramref name="start"/>; returns their 16-bit ≥-threshold mask.</summary>
    public static uint Score(Vector512<float> raw, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold,
        Span<float> scores, int start)
    {
        Vector512<float> factor = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(factors), (nuint)start);
        Vector512<float> score = offsets.IsEmpty
            ? raw * factor
            : Vector512.FusedMultiplyAdd(raw, factor, Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(offsets), (nuint)start));
        score.StoreUnsafe(ref MemoryMarshal.GetReference(scores), (nuint)start);
        return (uint)Vector512.GreaterThanOrEqual(score, Vector512.Create(threshold)).ExtractMostSignificantBits();
    }
}

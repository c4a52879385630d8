using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;

namespace VectorDb.Index.Rerank;

/// <summary>
/// The exact score of one row from the row kernels (<see cref="IRowKernel"/>): the arithmetic every CPU re-scorer
/// shares, whether its rows are in an <see cref="OriginalVectorStore"/> (<see cref="ExactScorer"/>) or were read from
/// storage (<see cref="ScorePacked"/>). Cosine is dot/(‖q‖·‖x‖) with both norms in float64 rounded to float
/// (<see cref="ExactScorer.EuclideanNorm(ReadOnlySpan{float})"/>), so both give the same scores bit for bit.
/// </summary>
internal static class ExactRowScoring
{
    /// <summary>Inner product, cosine, or squared L2 distance of a float32 row; <paramref name="rowNorm"/> and
    /// <paramref name="queryNorm"/> are read only for cosine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Score<TKernel>(Metric metric, ref float query, ref float row, int length, float queryNorm,
        float rowNorm)
        where TKernel : struct, IRowKernel
    {
        float raw = metric == Metric.L2 ? TKernel.SquaredDistance(ref query, ref row, length) : TKernel.Dot(ref query, ref row, length);
        return metric == Metric.Cosine ? ExactScorer.CosineFromDot(raw, queryNorm, rowNorm) : raw;
    }

    /// <summary><see cref="Score{TKernel}(Metric, ref float, ref float, int, float, float)"/> of a float16 row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Score<TKernel>(Metric metric, ref float query, ref Half row, int length, float queryNorm,
        float rowNorm)
        where TKernel : struct, IRowKernel
    {
        float raw = metric == Metric.L2 ? TKernel.SquaredDistance(ref query, ref row, length) : TKernel.Dot(ref query, ref row, length);
        return metric == Metric.Cosine ? ExactScorer.CosineFromDot(raw, queryNorm, rowNorm) : raw;
    }

    /// <summary>
    /// Scores rows stored one after another in <paramref name="rows"/> (little-endian float32 or float16 values, as
    /// the storage layer keeps originals): scores[i] for row i, NaN where <paramref name="found"/>[i] is false. Row
    /// norms (cosine) are computed here over the stored values, as <see cref="OriginalVectorStore"/> does at upsert.
    /// </summary>
    public static void ScorePacked(SimdLevel level, Metric metric, OriginalsFormat precision, ReadOnlySpan<float> query,
        Span<byte> rows, ReadOnlySpan<bool> found, Span<float> scores)
    {
        switch (level)
        {
            case SimdLevel.Vector512: ScorePacked<SimdRowKernel<Vector512Ops, Vector512<float>>>(metric, precision, query, rows, found, scores); break;
            case SimdLevel.Vector256: ScorePacked<SimdRowKernel<Vector256Ops, Vector256<float>>>(metric, precision, query, rows, found, scores); break;
            case SimdLevel.Vector128: ScorePacked<SimdRowKernel<Vector128Ops, Vector128<float>>>(metric, precision, query, rows, found, scores); break;
            default: ScorePacked<ScalarRowKernel>(metric, precision, query, rows, found, scores); break;
        }
    }

    private static void ScorePacked<TKernel>(Metric metric, OriginalsFormat precision, ReadOnlySpan<float> query,
        Span<byte> rows, ReadOnlySpan<bool> found, Span<float> scores)
        where TKernel : struct, IRowKernel
    {
        int d = query.Length;
        int width = d * (precision == OriginalsFormat.Float32 ? sizeof(float) : 2);
        bool cosine = metric == Metric.Cosine;
        float queryNorm = cosine ? ExactScorer.EuclideanNorm(query) : 0f;
        ref float q = ref MemoryMarshal.GetReference(query);
        for (int i = 0; i < scores.Length; i++)
        {
            if (!found[i])
            {
                scores[i] = float.NaN;
                continue;
            }
            Span<byte> bytes = rows.Slice(i * width, width);
            if (precision == OriginalsFormat.Float32)
            {
                Span<float> row = MemoryMarshal.Cast<byte, float>(bytes);
                scores[i] = Score<TKernel>(metric, ref q, ref MemoryMarshal.GetReference(row), d, queryNorm,
                    cosine ? ExactScorer.EuclideanNorm(row) : 0f);
            }
            else
            {
                Span<Half> row = MemoryMarshal.Cast<byte, Half>(bytes);
                scores[i] = Score<TKernel>(metric, ref q, ref MemoryMarshal.GetReference(row), d, queryNorm,
                    cosine ? ExactScorer.EuclideanNorm(row) : 0f);
            }
        }
    }
}

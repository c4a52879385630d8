using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;

namespace VectorDb.Index.Rerank;

/// <summary>
/// CPU exact re-scorer over an <see cref="OriginalVectorStore"/>: SIMD kernels at a chosen <see cref="SimdLevel"/>
/// (the widest available by default), float32 accumulation for float32 and float16 originals alike, no allocation
/// per call. The scalar level is the oracle the others are tested against.
/// </summary>
/// <remarks>
/// Cosine is Σ q·x / (‖q‖·‖x‖) with ‖x‖ precomputed in float64 at upsert and ‖q‖ in float64 per query, 0 when
/// either norm is 0. Threading follows the store: concurrent calls are safe while nothing writes to the store.
/// </remarks>
public sealed class ExactScorer : CpuExactScorerBase
{
    private readonly OriginalVectorStore _store;

    /// <summary>Creates a scorer over <paramref name="store"/>.</summary>
    /// <param name="store">The originals; the scorer reads them at call time, so later upserts are seen.</param>
    /// <param name="metric">The similarity to compute.</param>
    /// <param name="level">Kernel width; defaults to <see cref="SimdCapabilities.Best"/>. Must be available here.</param>
    public ExactScorer(OriginalVectorStore store, Metric metric, SimdLevel? level = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (metric is not (Metric.InnerProduct or Metric.Cosine or Metric.L2))
        {
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "Use InnerProduct, Cosine or L2.");
        }
        SimdLevel chosen = level ?? SimdCapabilities.Best;
        if (!SimdCapabilities.Available.Contains(chosen))
        {
            throw new ArgumentException(
                $"SIMD level {chosen} is not available here (available: {string.Join(", ", SimdCapabilities.Available)}).", nameof(level));
        }
        _store = store;
        Metric = metric;
        Level = chosen;
    }

    /// <inheritdoc/>
    public override int Dimension => _store.Dimension;

    /// <inheritdoc/>
    public override Metric Metric { get; }

    /// <summary>The kernel width in use.</summary>
    public SimdLevel Level { get; }

    /// <summary>The originals scored.</summary>
    public OriginalVectorStore Store => _store;

    /// <inheritdoc/>
    public override string Backend => $"cpu {Level}";

    /// <summary>Scores without validating (callers validated): one switch on the level, then a specialized loop.</summary>
    protected override void ScoreUnchecked(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<float> scores)
    {
        switch (Level)
        {
            case SimdLevel.Vector512: ScoreLoop<SimdRowKernel<Vector512Ops, Vector512<float>>>(query, slots, scores); break;
            case SimdLevel.Vector256: ScoreLoop<SimdRowKernel<Vector256Ops, Vector256<float>>>(query, slots, scores); break;
            case SimdLevel.Vector128: ScoreLoop<SimdRowKernel<Vector128Ops, Vector128<float>>>(query, slots, scores); break;
            default: ScoreLoop<ScalarRowKernel>(query, slots, scores); break;
        }
    }

    protected override int RerankUnchecked(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<ScoredSlot> best) => Level switch
    {
        SimdLevel.Vector512 => RerankLoop<SimdRowKernel<Vector512Ops, Vector512<float>>>(query, slots, best),
        SimdLevel.Vector256 => RerankLoop<SimdRowKernel<Vector256Ops, Vector256<float>>>(query, slots, best),
        SimdLevel.Vector128 => RerankLoop<SimdRowKernel<Vector128Ops, Vector128<float>>>(query, slots, best),
        _ => RerankLoop<ScalarRowKernel>(query, slots, best),
    };

    protected override int SearchAllUnchecked(ReadOnlySpan<float> query, Span<ScoredSlot> best) => Level switch
    {
        SimdLevel.Vector512 => SearchAllLoop<SimdRowKernel<Vector512Ops, Vector512<float>>>(query, best),
        SimdLevel.Vector256 => SearchAllLoop<SimdRowKernel<Vector256Ops, Vector256<float>>>(query, best),
        SimdLevel.Vector128 => SearchAllLoop<SimdRowKernel<Vector128Ops, Vector128<float>>>(query, best),
        _ => SearchAllLoop<ScalarRowKernel>(query, best),
    };

    private void ScoreLoop<TKernel>(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<float> scores)
        where TKernel : struct, IRowKernel
    {
        float queryNorm = QueryNorm(query);
        ref float q = ref MemoryMarshal.GetReference(query);
        for (int i = 0; i < slots.Length; i++)
        {
            scores[i] = ScoreOne<TKernel>(ref q, slots[i], queryNorm);
        }
    }

    private int RerankLoop<TKernel>(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<ScoredSlot> best)
        where TKernel : struct, IRowKernel
    {
        float queryNorm = QueryNorm(query);
        ref float q = ref MemoryMarshal.GetReference(query);
        var selector = new TopKSelector(best, Metric.SmallerIsBetter());
        foreach (int slot in slots)
        {
            selector.Add(slot, ScoreOne<TKernel>(ref q, slot, queryNorm));
        }
        return selector.Finish();
    }

    private int SearchAllLoop<TKernel>(ReadOnlySpan<float> query, Span<ScoredSlot> best)
        where TKernel : struct, IRowKernel
    {
        float queryNorm = QueryNorm(query);
        ref float q = ref MemoryMarshal.GetReference(query);
        var selector = new TopKSelector(best, Metric.SmallerIsBetter());
        int slotCount = _store.SlotCount;
        for (int slot = 0; slot < slotCount; slot++)
        {
            selector.Add(slot, ScoreOne<TKernel>(ref q, slot, queryNorm));
        }
        return selector.Finish();
    }

    /// <summary>Exact score of one slot, or NaN when it is not live.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float ScoreOne<TKernel>(ref float query, int slot, float queryNorm)
        where TKernel : struct, IRowKernel
    {
        OriginalVectorStore store = _store;
        if ((uint)slot >= (uint)store.SlotCount || !store.HasChunkFor(slot))
        {
            return float.NaN;
        }
        int length = store.Dimension;
        bool live;
        float rowNorm = Metric == Metric.Cosine ? store.NormUnchecked(slot) : 0f;
        if (store.Precision == OriginalsFormat.Float32)
        {
            ref float row = ref store.Float32RowUnchecked(slot, out live);
            return live ? ExactRowScoring.Score<TKernel>(Metric, ref query, ref row, length, queryNorm, rowNorm) : float.NaN;
        }
        ref Half half = ref store.Float16RowUnchecked(slot, out live);
        return live ? ExactRowScoring.Score<TKernel>(Metric, ref query, ref half, length, queryNorm, rowNorm) : float.NaN;
    }

    /// <summary>‖q‖ in float64, rounded to float; 0 unless the metric is cosine (only cosine uses it).</summary>
    private float QueryNorm(ReadOnlySpan<float> query) => Metric == Metric.Cosine ? EuclideanNorm(query) : 0f;

    /// <summary>‖v‖ computed in float64 and rounded to float32 (the definition the GPU path uses as well).</summary>
    public static float EuclideanNorm(ReadOnlySpan<float> vector)
    {
        double sum = 0;
        foreach (float value in vector)
        {
            sum += (double)value * value;
        }
        return (float)Math.Sqrt(sum);
    }

    /// <summary>‖v‖ of float16 values, each widened exactly, summed in float64 and rounded to float32 (as
    /// <see cref="OriginalVectorStore"/> keeps the norms of float16 rows).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float EuclideanNorm(ReadOnlySpan<Half> vector)
    {
        double sum = 0;
        foreach (Half value in vector)
        {
            double exact = (double)value;
            sum += exact * exact;
        }
        return (float)Math.Sqrt(sum);
    }

    /// <summary>dot / (‖q‖·‖x‖) in float32, or 0 when either norm is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float CosineFromDot(float dot, float queryNorm, float rowNorm)
    {
        float denominator = queryNorm * rowNorm;
        return denominator > 0 ? dot / denominator : 0f;
    }
}

using VectorDb.Index.Quantization;

namespace VectorDb.Index.Rerank;

/// <summary>
/// Variance-aware re-ranking for one query. Candidates are visited best estimate first; one is scored exactly only if
/// its upper bound ŝ + z·σ can still beat τ, the k-th best exact score so far (−∞ until k are known). The visit stops
/// once no remaining candidate can (estimates are sorted, σ is bounded by the largest σ among the candidates).
/// <para>Ranking scores s: IP and cosine s = ⟨q,x⟩; L2 s = ‖q‖² − ‖q−x‖² = 2⟨q,x⟩ − ‖x‖², so σ_s = 2σ_ip.
/// σ_ip from the quantizer's <see cref="EstimatorVariance"/> (algorithms.md §3): unbiased EDEN
/// Var ≈ D/(1−D)·(‖x‖²‖q‖² − ⟨q,x⟩²)/(d−1); the biased schemes are first divided by their shrink (1−D);
/// tq-prod Var ≈ (π/2)·D_(b−1)·‖x‖²‖q‖²/d (QJL's variance has no cos factor). D is the codebook's per-coordinate
/// MSE. The rotation is fixed per collection, so the bound is a calibrated z·σ, not a guarantee.</para>
/// <para>Centred records (format 2): the estimate is K + β + A·⟨Πq, q̂⟩ = ⟨q, c⟩ + ⟨c, r⟩ + A·⟨Π(q − c), q̂⟩, whose
/// error is that of the code part as an estimate of ⟨q − c, r⟩ (algorithms.md §5):
/// σ² = V·(‖r‖²‖q − c‖² − ⟨q − c, r⟩²)/(d − 1) with c the row's centre (<see cref="CentredMargin"/>). A shrunk scale
/// (biased schemes, ρ-ranked lists) may be off by (1/shrink − 1)·‖r‖·‖q − c‖ more, plus its spread across vectors
/// (<see cref="ShrinkSpread"/>): both are added to the margin. L2 ranks by 2⟨q, x⟩ − ‖x‖², so its margin doubles.</para>
/// </summary>
/// <param name="variance">The quantizer's error model.</param>
/// <param name="l2">Whether the metric is L2 (ranking scores ‖q‖² − distance).</param>
/// <param name="dimension">d.</param>
/// <param name="querySquares">‖q‖² of the query as searched (normalised for cosine).</param>
/// <param name="z">The confidence multiplier (<c>SearchOptions.Confidence</c>).</param>
internal readonly struct AutoRerank(EstimatorVariance variance, bool l2, int dimension, double querySquares, double z)
{
    /// <summary>Relative spread allowed for a shrunk scale's per-vector shrink around its mean.</summary>
    public const double ShrinkSpread = 0.1;

    /// <summary>Candidates scored exactly per call (small batches keep the bound current).</summary>
    public const int Batch = 16;

    private double MetricFactor => l2 ? 2 : 1;

    /// <summary>Whether the upper bounds of plain (uncentred) rows fall with their ranking score, so the visit may stop
    /// at the first hopeless candidate: not for a biased scheme ranking by L2 (the −‖x‖² terms differ per row).</summary>
    public bool PlainBoundsMonotone => variance.Shrink == 1.0 || !l2;

    /// <summary>
    /// Upper bounds and margins of plain rows (uncentred records) from their ranking scores and norms ‖x‖; returns the
    /// largest margin.
    /// </summary>
    public float FillPlainMargins(ReadOnlySpan<ScoredSlot> candidates, ReadOnlySpan<float> norms, Span<float> upper,
        Span<float> margins)
    {
        double shrink = variance.Shrink;
        bool cosineFactor = variance.CosineFactor;
        float maxMargin = 0;
        for (int i = 0; i < candidates.Length; i++)
        {
            double norm = norms[candidates[i].Slot];
            double score = candidates[i].Score;
            double ip = l2 ? (score + norm * norm) / 2 : score;
            double debiased = ip / shrink;
            double spread = norm * norm * querySquares - (cosineFactor ? debiased * debiased : 0);
            double sigma = Math.Sqrt(Math.Max(0, variance.Factor * spread / Math.Max(1, cosineFactor ? dimension - 1 : dimension)));
            double debiasedScore = l2 ? 2 * debiased - norm * norm : debiased;
            float margin = (float)(z * (l2 ? 2 * sigma : sigma));
            upper[i] = (float)debiasedScore + margin;
            margins[i] = margin;
            maxMargin = MathF.Max(maxMargin, margin);
        }
        return maxMargin;
    }

    /// <summary>‖q − c‖² = ‖q‖² − 2⟨q, c⟩ + ‖c‖², ⟨q, c⟩ recovered from the centre's ranking shift (L2: 2⟨q, c⟩).</summary>
    public double CentreSquares(double shift, double centreSquaredNorm) =>
        Math.Max(0, querySquares - 2 * shift / MetricFactor + centreSquaredNorm);

    /// <summary>The (1 − cos²)-weighted spread of a centred row coded against the zero centre (c = 0), whose estimate
    /// of ⟨q, x⟩ is <paramref name="innerProduct"/>.</summary>
    public double ZeroCentreSpread(double norm, double innerProduct)
    {
        double shrink = variance.Shrink;
        return Math.Max(0, norm * norm * querySquares - innerProduct * innerProduct / (shrink * shrink));
    }

    /// <summary>The spread of a centred row against a non-zero centre: ‖r‖²‖q − c‖² − ⟨q − c, r⟩², the code part
    /// A·⟨Π(q − c), q̂⟩ debiased by the shrink (0 drops the factor: a wider, safe bound).</summary>
    public double CentredSpread(double norm, double centreSquares, double codePart)
    {
        double part = codePart / variance.Shrink;
        return Math.Max(0, norm * norm * centreSquares - part * part);
    }

    /// <summary>The margin of a centred row: z·σ plus the shrink's bias terms, × 2 for L2.</summary>
    public float CentredMargin(double norm, double centreSquares, double spread)
    {
        double shrink = variance.Shrink;
        double shrinkTerm = shrink == 1 ? 0 : 1 / shrink - 1 + ShrinkSpread / shrink;
        double sigma = Math.Sqrt(variance.Factor * spread / Math.Max(1, dimension - 1));
        return (float)(MetricFactor * (z * sigma + shrinkTerm * norm * Math.Sqrt(centreSquares)));
    }

    /// <summary>
    /// The scan's lead window, in ranking-score units (<c>TopK.SetLeadWindow</c>): 2·m with m = z·σ_max the largest
    /// margin any row can get (σ_max from the largest row norm, the (1 − cos²) factor dropped; ×2 for L2, × the shrink
    /// of a biased scheme). Why it is safe: each of the k best estimates ŝ_j has exact score ≥ ŝ_j − m within its
    /// bound, so the final k-th exact score τ ≥ ŝ_(k) − m; a row with ŝ &lt; ŝ_(k) − 2m has upper bound ŝ + m &lt; τ,
    /// and <see cref="Visit"/> would never score it. Not finite (no window) for a biased scheme ranking plain rows by
    /// L2, whose debiased score is not monotone in the ranking score.
    /// </summary>
    /// <param name="maxNorm">The largest ‖x‖ (‖r‖ for centred records) of any row.</param>
    /// <param name="centreNorm">For centred records, ‖q − c‖ or a bound on it over the centres; null for plain rows.</param>
    public float Window(double maxNorm, double? centreNorm)
    {
        double shrink = variance.Shrink;
        if (centreNorm is { } norm)
        {
            double sigma = Math.Sqrt(variance.Factor * maxNorm * maxNorm * norm * norm / Math.Max(1, dimension - 1));
            // Debiasing moves a score by at most (1/shrink − 1)·‖r‖‖q − c‖ (plus the shrink's spread): add both.
            double shrinkTerms = shrink == 1 ? 0 : (1 / shrink - 1 + ShrinkSpread / shrink) * maxNorm * norm;
            double centredMargin = MetricFactor * (z * sigma + shrinkTerms);
            return (float)(2 * centredMargin);
        }
        if (l2 && shrink != 1.0)
        {
            return float.PositiveInfinity;
        }
        double sigmaMax = Math.Sqrt(variance.Factor * maxNorm * maxNorm * querySquares
            / Math.Max(1, variance.CosineFactor ? dimension - 1 : dimension));
        double margin = z * sigmaMax * MetricFactor;
        return (float)(2 * margin * shrink);
    }

    /// <summary>
    /// The visit: candidates (sorted best estimate first) whose upper bound reaches τ are scored exactly,
    /// <see cref="Batch"/> at a time; stops when none can (with <paramref name="monotone"/> bounds, at the first
    /// candidate whose estimate plus the largest margin is below τ). Writes the best <c>best.Length</c> by exact
    /// ranking score, best first; returns how many, and in <paramref name="reranked"/> how many were scored.
    /// <paramref name="query"/> was checked by the index (the only caller): the scorer does not check its coordinates
    /// again on each batch (<see cref="CheckedScorerQuery"/>).
    /// </summary>
    public int Visit(IExactScorer exact, ReadOnlySpan<float> query, ReadOnlySpan<ScoredSlot> candidates,
        ReadOnlySpan<float> upper, ReadOnlySpan<float> margins, float maxMargin, bool monotone, Span<ScoredSlot> best,
        out int reranked)
    {
        var selector = new TopKSelector(best, smallerIsBetter: false);
        var checkedQuery = new CheckedScorerQuery(query);
        Span<int> batch = stackalloc int[Batch];
        Span<float> scores = stackalloc float[Batch];
        reranked = 0;
        int next = 0;
        while (next < candidates.Length)
        {
            float tau = selector.Threshold;
            int taken = 0;
            for (; next < candidates.Length && taken < Batch; next++)
            {
                if (upper[next] >= tau)
                {
                    batch[taken++] = candidates[next].Slot;
                }
                else if (monotone && upper[next] - margins[next] + maxMargin < tau)
                {
                    // Later candidates have no larger debiased score and no larger margin: none can reach τ.
                    next = candidates.Length;
                    break;
                }
            }
            if (taken == 0)
            {
                break;
            }
            exact.Score(checkedQuery, batch[..taken], scores[..taken]);
            for (int i = 0; i < taken; i++)
            {
                selector.Add(batch[i], l2 ? (float)(querySquares - scores[i]) : scores[i]);
            }
            reranked += taken;
        }
        return selector.Finish();
    }
}

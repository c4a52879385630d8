using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

public sealed partial class VectorIndex
{
    /// <summary>Relative spread allowed for a shrunk scale's per-vector shrink around its mean, in the auto bound.</summary>
    private const double ShrinkSpread = 0.1;

    /// <summary>Candidates scored exactly per call during auto re-ranking (small batches keep the bound current).</summary>
    private const int AutoBatch = 16;

    /// <summary>Re-scores every candidate exactly and keeps the best k.</summary>
    private int RerankFixed(ReadOnlySpan<float> query, QueryScratch scratch, int k, int candidates, Span<SearchHit> hits, out int reranked)
    {
        for (int i = 0; i < candidates; i++)
        {
            scratch.Slots[i] = scratch.Sorted[i].Id;
        }
        int found = _exact!.Rerank(query, scratch.Slots.AsSpan(0, candidates), scratch.Best.AsSpan(0, k));
        for (int i = 0; i < found; i++)
        {
            hits[i] = new SearchHit(_ids[scratch.Best[i].Slot], scratch.Best[i].Score);
        }
        reranked = candidates;
        return found;
    }

    /// <summary>
    /// Variance-aware re-ranking. Candidates are visited best estimate first; one is scored exactly only if its upper
    /// bound ŝ + z·σ can still beat τ, the k-th best exact score so far (−∞ until k are known). The visit stops once
    /// no remaining candidate can (estimates are sorted, σ is bounded by the largest σ among the candidates).
    /// <para>Ranking scores s: IP and cosine s = ⟨q,x⟩; L2 s = ‖q‖² − ‖q−x‖² = 2⟨q,x⟩ − ‖x‖², so σ_s = 2σ_ip.
    /// σ_ip from the estimator's variance (algorithms.md §3): unbiased EDEN
    /// Var ≈ D/(1−D)·(‖x‖²‖q‖² − ⟨q,x⟩²)/(d−1); the biased schemes are first divided by their shrink (1−D);
    /// tq-prod Var ≈ (π/2)·D_(b−1)·‖x‖²‖q‖²/d (QJL's variance has no cos factor). D is the codebook's per-coordinate
    /// MSE. The rotation is fixed per collection, so the bound is a calibrated z·σ, not a guarantee.</para>
    /// </summary>
    private int RerankAuto(ReadOnlySpan<float> query, QueryScratch scratch, int k, int candidates, double z,
        Span<SearchHit> hits, out int reranked)
    {
        var (varianceFactor, shrink, cosineFactor) = EstimatorVariance();
        double querySquares = scratch.Estimator.QuerySquaredNorm;
        bool l2 = Options.Metric == ExactMetric.L2;
        int d = Dimension;
        Span<float> upper = scratch.Exact.AsSpan(0, candidates);
        Span<float> margins = scratch.Margins(candidates);
        float maxMargin = 0;
        // The debiased score is monotone in the ranking score unless a biased scheme ranks by L2 (−N² terms differ).
        bool monotone = shrink == 1.0 || !l2;
        if (_centred)
        {
            FillCentredMargins(scratch, candidates, z, upper, margins, out maxMargin);
            monotone = true; // upper = estimate + margin, and the estimates are sorted
        }
        for (int i = 0; i < candidates && !_centred; i++)
        {
            int row = scratch.Sorted[i].Id;
            double norm = _norms[row];
            double score = scratch.Sorted[i].Score;
            double ip = l2 ? (score + norm * norm) / 2 : score;
            double debiased = ip / shrink;
            double spread = norm * norm * querySquares - (cosineFactor ? debiased * debiased : 0);
            double sigma = Math.Sqrt(Math.Max(0, varianceFactor * spread / Math.Max(1, cosineFactor ? d - 1 : d)));
            double debiasedScore = l2 ? 2 * debiased - norm * norm : debiased;
            float margin = (float)(z * (l2 ? 2 * sigma : sigma));
            upper[i] = (float)debiasedScore + margin;
            margins[i] = margin;
            maxMargin = MathF.Max(maxMargin, margin);
        }

        TopK exactTop = scratch.ExactTop!;
        exactTop.Clear();
        Span<int> batch = stackalloc int[AutoBatch];
        Span<float> exact = stackalloc float[AutoBatch];
        reranked = 0;
        int next = 0;
        while (next < candidates)
        {
            float tau = exactTop.Threshold;
            int taken = 0;
            for (; next < candidates && taken < AutoBatch; next++)
            {
                if (upper[next] >= tau)
                {
                    batch[taken++] = scratch.Sorted[next].Id;
                }
                else if (monotone && upper[next] - margins[next] + maxMargin < tau)
                {
                    // Later candidates have no larger debiased score and no larger margin: none can reach τ.
                    next = candidates;
                    break;
                }
            }
            if (taken == 0)
            {
                break;
            }
            _exact!.Score(query, batch.Slice(0, taken), exact.Slice(0, taken));
            for (int i = 0; i < taken; i++)
            {
                float ranking = l2 ? (float)(querySquares - exact[i]) : exact[i];
                exactTop.TryAdd(ranking, batch[i]);
            }
            reranked += taken;
        }

        int found = exactTop.CopySortedTo(scratch.Sorted);
        for (int i = 0; i < found; i++)
        {
            hits[i] = new SearchHit(_ids[scratch.Sorted[i].Id], MetricScore(scratch.Sorted[i].Score, scratch));
        }
        return found;
    }

    /// <summary>
    /// Centred records (format 2): the estimate is K + β + A·⟨Πq, q̂⟩ = ⟨q, c⟩ + ⟨c, r⟩ + A·⟨Π(q − c), q̂⟩, whose error
    /// is that of the code part as an estimate of ⟨q − c, r⟩ (algorithms.md §5): σ² = V·(‖r‖²‖q − c‖² − ⟨q − c, r⟩²)/(d − 1)
    /// with c the row's partition centre. As for plain codes, ⟨q − c, r⟩² in the (1 − cos²) factor is taken from the
    /// estimate: the code part, recomputed from the record (<see cref="CodePartOf"/>; β folds it together with ⟨c, r⟩)
    /// where records are kept, and the estimate itself for uncentred rows (c = 0). For trained IVF residual lists,
    /// whose records are not kept, the factor is dropped (a wider, safe bound). A shrunk scale (biased schemes, ρ-ranked lists) may be off by (1/shrink − 1)·‖r‖·‖q − c‖ more,
    /// plus its spread across vectors: both are added to the margin. ‖r‖ from A (<see cref="ResidualNormOf"/>).
    /// L2 ranks by 2⟨q, x⟩ − ‖x‖², so its margin doubles.
    /// </summary>
    private void FillCentredMargins(QueryScratch scratch, int candidates, double z, Span<float> upper, Span<float> margins,
        out float maxMargin)
    {
        var (varianceFactor, shrink, _) = EstimatorVariance();
        bool l2 = Options.Metric == ExactMetric.L2;
        double querySquares = scratch.Estimator.QuerySquaredNorm;
        double metricFactor = l2 ? 2 : 1;
        int d = Dimension;
        double shrinkTerm = shrink == 1 ? 0 : 1 / shrink - 1 + ShrinkSpread / shrink;
        maxMargin = 0;
        for (int i = 0; i < candidates; i++)
        {
            int row = scratch.Sorted[i].Id;
            int partition = _partitionOf[row]; // the row's list (0 for a flat index)
            CodeCentre centre = PartitionCentre(partition);
            double norm = _norms[row];
            double score = scratch.Sorted[i].Score;
            double spread, centreSquares = querySquares;
            if (centre.IsZero)
            {
                var (ownPartition, local) = Locate(row);
                double ip = l2 ? (score - Partitions[ownPartition].Offsets.Span[local]) / 2 : score;
                spread = Math.Max(0, norm * norm * querySquares - ip * ip / (shrink * shrink));
            }
            else
            {
                // ‖q − c‖² = ‖q‖² − 2⟨q, c⟩ + ‖c‖², ⟨q, c⟩ recovered from the shift (L2: 2⟨q, c⟩).
                centreSquares = Math.Max(0, querySquares - 2 * scratch.Shifts[partition] / metricFactor + centre.SquaredNorm);
                double codePart = RefinesCandidates ? CodePartOf(scratch, row, centre) / shrink : 0;
                spread = Math.Max(0, norm * norm * centreSquares - codePart * codePart);
            }
            double sigma = Math.Sqrt(varianceFactor * spread / Math.Max(1, d - 1));
            float margin = (float)(metricFactor * (z * sigma + shrinkTerm * norm * Math.Sqrt(centreSquares)));
            upper[i] = (float)score + margin;
            margins[i] = margin;
            maxMargin = MathF.Max(maxMargin, margin);
        }
    }

    /// <summary>
    /// The scan's lead window for auto re-ranking, in ranking-score units (<see cref="TopK.SetLeadWindow"/>): 2·m with
    /// m = z·σ_max the largest margin any row can get (σ_max from the largest row norm, the (1 − cos²) factor dropped;
    /// ×2 for L2, × the shrink of a biased scheme). Why it is safe: each of the k best estimates ŝ_j has exact score
    /// ≥ ŝ_j − m within its bound, so the final k-th exact score τ ≥ ŝ_(k) − m; a row with ŝ &lt; ŝ_(k) − 2m has
    /// upper bound ŝ + m &lt; τ, and <see cref="RerankAuto"/> would never score it. Not finite (no window) for a biased
    /// scheme ranking by L2, whose debiased score is not monotone in the ranking score.
    /// </summary>
    private float AutoWindow(double querySquares, double scratchShift, double z)
    {
        var (varianceFactor, shrink, cosineFactor) = EstimatorVariance();
        bool l2 = Options.Metric == ExactMetric.L2;
        if (l2 && shrink != 1.0 && !_centred)
        {
            return float.PositiveInfinity;
        }
        if (_centred)
        {
            // ‖q − c‖ for the flat centre, or at most ‖q‖ + max‖c_l‖ over IVF lists; the bias term as in FillCentredMargins.
            double centreNorm = ListCount == 1
                ? Math.Sqrt(Math.Max(0, querySquares - 2 * scratchShift / (l2 ? 2 : 1) + _centre.SquaredNorm))
                : Math.Sqrt(querySquares) + _maxListCentreNorm;
            double sigma = Math.Sqrt(varianceFactor * _maxNorm * _maxNorm * centreNorm * centreNorm / Math.Max(1, Dimension - 1));
            // Debiasing moves a score by at most (1/shrink − 1)·‖r‖‖q − c‖ (plus the shrink's spread): add both.
            double shrinkTerms = shrink == 1 ? 0 : (1 / shrink - 1 + ShrinkSpread / shrink) * _maxNorm * centreNorm;
            double centredMargin = (l2 ? 2 : 1) * (z * sigma + shrinkTerms);
            return (float)(2 * centredMargin);
        }
        double sigmaMax = Math.Sqrt(varianceFactor * _maxNorm * _maxNorm * querySquares / Math.Max(1, cosineFactor ? Dimension - 1 : Dimension));
        double margin = z * sigmaMax * (l2 ? 2 : 1);
        return (float)(2 * margin * shrink);
    }

    /// <summary>(variance factor V, shrink of the estimate, whether the variance has the (1 − cos²) factor).</summary>
    private (double Factor, double Shrink, bool CosineFactor) EstimatorVariance()
    {
        QuantizerOptions quantizer = Options.Quantizer;
        if (quantizer.Scheme == QuantizationScheme.TurboQuantProd)
        {
            double previous = Quantizer.Codebook?.MeanSquaredError ?? 1.0; // D_0 = 1: b = 1 is QJL alone
            return (Math.PI / 2 * previous, 1.0, false);
        }
        double mse = Quantizer.Codebook!.MeanSquaredError;
        // ρ-ranked records shrink the code part by ρ ≈ √(1 − D) (docs/codec.md "Centred codes").
        double shrink = _rho ? Math.Sqrt(1 - mse) : quantizer.Scheme == QuantizationScheme.EdenUnbiased ? 1.0 : 1.0 - mse;
        return (mse / (1 - mse), shrink, true);
    }
}

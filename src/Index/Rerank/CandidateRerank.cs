using VectorDb.Index.Quantization;
using VectorDb.Index.Search;

namespace VectorDb.Index.Rerank;

/// <summary>
/// The index's side of re-ranking one query's sorted candidates (<see cref="FixedRerank"/> and <see cref="AutoRerank"/>
/// do the re-rank itself): the mode, the auto margins from the rows' norms and centres, the scan's lead window, and the
/// hits the best rows become (point ids, metric scores). Reads the index under its read lock; allocates nothing once
/// the scratch is warm.
/// </summary>
/// <param name="options">Metric and dimension.</param>
/// <param name="rows">The rows' point ids.</param>
/// <param name="originals">The exact scorer.</param>
/// <param name="lists">Each row's list and centre.</param>
/// <param name="centring">Whether records are centred; the quantizer's error model.</param>
/// <param name="placement">The rows' norms and their bound.</param>
/// <param name="refiner">The code part of a centred row's estimate.</param>
internal sealed class CandidateRerank(VectorIndexOptions options, RowTable rows, RowOriginals originals, IvfLists lists,
    CodeCentring centring, RowPlacement placement, CandidateRefiner refiner)
{
    private bool L2 => options.Metric == Metric.L2;

    /// <summary>Re-ranks the sorted candidates as the mode says and writes the hits; returns how many.</summary>
    public int Run(ReadOnlySpan<float> query, QueryScratch scratch, Reranking mode, int k, int candidates, double z,
        Span<SearchHit> hits, out int reranked)
    {
        ReadOnlySpan<ScoredSlot> sorted = scratch.Sorted.AsSpan(0, candidates);
        Span<ScoredSlot> best = scratch.Best.AsSpan(0, k);
        int found;
        switch (mode)
        {
            case Reranking.None:
                found = Math.Min(k, candidates);
                sorted[..found].CopyTo(best);
                reranked = 0;
                break;
            case Reranking.Fixed:
                found = FixedRerank.Run(originals.Scorer!, query, sorted, scratch.Slots, best);
                reranked = candidates;
                for (int i = 0; i < found; i++)
                {
                    hits[i] = new SearchHit(rows.IdOf(best[i].Slot), best[i].Score); // exact metric scores already
                }
                return found;
            default:
                found = RunAuto(query, scratch, sorted, z, best, out reranked);
                break;
        }
        for (int i = 0; i < found; i++)
        {
            hits[i] = new SearchHit(rows.IdOf(best[i].Slot), MetricScore(best[i].Score, scratch));
        }
        return found;
    }

    /// <summary>The scan's lead window for auto re-ranking (<see cref="AutoRerank.Window"/>): ‖q − c‖ for the flat
    /// centre, or at most ‖q‖ + max‖c_l‖ over IVF lists, for centred records.</summary>
    public float AutoWindow(QueryScratch scratch, double z)
    {
        AutoRerank auto = AutoRerankFor(scratch, z);
        double querySquares = scratch.Estimator.QuerySquaredNorm;
        double? centreNorm = !centring.IsCentred ? null
            : lists.Count == 1 ? Math.Sqrt(auto.CentreSquares(scratch.Shifts[0], centring.Centre.SquaredNorm))
            : Math.Sqrt(querySquares) + lists.MaxCentreNorm;
        return auto.Window(placement.MaxNorm, centreNorm);
    }

    /// <summary>The auto re-rank of one query (<see cref="AutoRerank"/>): margins from the rows' norms (and centres).</summary>
    private int RunAuto(ReadOnlySpan<float> query, QueryScratch scratch, ReadOnlySpan<ScoredSlot> sorted, double z,
        Span<ScoredSlot> best, out int reranked)
    {
        AutoRerank auto = AutoRerankFor(scratch, z);
        Span<float> upper = scratch.Exact.AsSpan(0, sorted.Length);
        Span<float> margins = scratch.Margins(sorted.Length);
        float maxMargin;
        bool monotone;
        if (centring.IsCentred)
        {
            maxMargin = FillCentredMargins(auto, scratch, sorted, upper, margins);
            monotone = true; // upper = estimate + margin, and the estimates are sorted
        }
        else
        {
            maxMargin = auto.FillPlainMargins(sorted, placement.Norms, upper, margins);
            monotone = auto.PlainBoundsMonotone;
        }
        return auto.Visit(originals.Scorer!, query, sorted, upper, margins, maxMargin, monotone, best, out reranked);
    }

    private AutoRerank AutoRerankFor(QueryScratch scratch, double z) =>
        new(centring.Variance, L2, options.Dimension, scratch.Estimator.QuerySquaredNorm, z);

    /// <summary>
    /// Margins of centred rows (<see cref="AutoRerank"/>, centred records), c the row's partition centre. As for plain
    /// codes, ⟨q − c, r⟩² in the (1 − cos²) factor is taken from the estimate: the code part, recomputed from the record
    /// (<see cref="CandidateRefiner.CodePartOf"/>; β folds it together with ⟨c, r⟩) where records are kept, and the
    /// estimate itself for rows coded against a zero centre. ‖r‖ from A (<see cref="CodeCentring.ScanFactors"/>).
    /// Returns the largest margin.
    /// </summary>
    private float FillCentredMargins(AutoRerank auto, QueryScratch scratch, ReadOnlySpan<ScoredSlot> sorted, Span<float> upper,
        Span<float> margins)
    {
        bool l2 = L2;
        double querySquares = scratch.Estimator.QuerySquaredNorm;
        float[] norms = placement.Norms;
        float maxMargin = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            int row = sorted[i].Slot;
            int partition = lists.ListOf(row); // the row's list (0 for a flat index)
            CodeCentre centre = lists.CentreOf(partition);
            double norm = norms[row];
            double score = sorted[i].Score;
            double spread, centreSquares = querySquares;
            if (centre.IsZero)
            {
                var (ownPartition, local) = lists.Locate(row);
                double ip = l2 ? (score - lists.Partitions[ownPartition].Offsets.Span[local]) / 2 : score;
                spread = auto.ZeroCentreSpread(norm, ip);
            }
            else
            {
                centreSquares = auto.CentreSquares(scratch.Shifts[partition], centre.SquaredNorm);
                spread = auto.CentredSpread(norm, centreSquares, refiner.Refines ? refiner.CodePartOf(scratch, row, centre) : 0);
            }
            float margin = auto.CentredMargin(norm, centreSquares, spread);
            upper[i] = (float)score + margin;
            margins[i] = margin;
            maxMargin = MathF.Max(maxMargin, margin);
        }
        return maxMargin;
    }

    /// <summary>The score reported for a ranking score: L2 ranks by ‖q‖² − ‖q−x‖², so its distance is ‖q‖² minus
    /// that (in double, never negative); inner product and cosine report the ranking score itself.</summary>
    private float MetricScore(float rankingScore, QueryScratch scratch) =>
        L2 ? MathF.Max(0f, (float)(scratch.Estimator.QuerySquaredNorm - rankingScore)) : rankingScore;
}

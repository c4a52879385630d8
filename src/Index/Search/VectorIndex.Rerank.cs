using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

/// <summary>The index's side of re-ranking (Rerank/ holds the re-rank itself): which rows the candidates are, their
/// norms and centres, and the hits they become.</summary>
public sealed partial class VectorIndex
{
    /// <summary>Re-ranks the sorted candidates as the mode says and writes the hits.</summary>
    private int RerankCandidates(ReadOnlySpan<float> query, QueryScratch scratch, Reranking mode, int k, int candidates,
        double z, Span<SearchHit> hits, out int reranked)
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
                found = FixedRerank.Run(_exact!, query, sorted, scratch.Slots, best);
                reranked = candidates;
                for (int i = 0; i < found; i++)
                {
                    hits[i] = new SearchHit(_ids[best[i].Slot], best[i].Score); // exact metric scores already
                }
                return found;
            default:
                found = RerankAuto(query, scratch, sorted, z, best, out reranked);
                break;
        }
        for (int i = 0; i < found; i++)
        {
            hits[i] = new SearchHit(_ids[best[i].Slot], MetricScore(best[i].Score, scratch));
        }
        return found;
    }

    /// <summary>The auto re-rank of one query (<see cref="AutoRerank"/>): margins from the rows' norms (and centres).</summary>
    private int RerankAuto(ReadOnlySpan<float> query, QueryScratch scratch, ReadOnlySpan<ScoredSlot> sorted, double z,
        Span<ScoredSlot> best, out int reranked)
    {
        AutoRerank auto = AutoRerankFor(scratch, z);
        Span<float> upper = scratch.Exact.AsSpan(0, sorted.Length);
        Span<float> margins = scratch.Margins(sorted.Length);
        float maxMargin;
        bool monotone;
        if (_centred)
        {
            maxMargin = FillCentredMargins(auto, scratch, sorted, upper, margins);
            monotone = true; // upper = estimate + margin, and the estimates are sorted
        }
        else
        {
            maxMargin = auto.FillPlainMargins(sorted, _norms, upper, margins);
            monotone = auto.PlainBoundsMonotone;
        }
        return auto.Visit(_exact!, query, sorted, upper, margins, maxMargin, monotone, best, out reranked);
    }

    private AutoRerank AutoRerankFor(QueryScratch scratch, double z) =>
        new(_variance, Options.Metric == Metric.L2, Dimension, scratch.Estimator.QuerySquaredNorm, z);

    /// <summary>
    /// Margins of centred rows (<see cref="AutoRerank"/>, centred records), c the row's partition centre. As for plain
    /// codes, ⟨q − c, r⟩² in the (1 − cos²) factor is taken from the estimate: the code part, recomputed from the record
    /// (<see cref="CodePartOf"/>; β folds it together with ⟨c, r⟩) where records are kept, and the estimate itself for
    /// rows coded against a zero centre. ‖r‖ from A (<see cref="ResidualNormOf"/>). Returns the largest margin.
    /// </summary>
    private float FillCentredMargins(AutoRerank auto, QueryScratch scratch, ReadOnlySpan<ScoredSlot> sorted, Span<float> upper,
        Span<float> margins)
    {
        bool l2 = Options.Metric == Metric.L2;
        double querySquares = scratch.Estimator.QuerySquaredNorm;
        float maxMargin = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            int row = sorted[i].Slot;
            int partition = _lists.ListOf(row); // the row's list (0 for a flat index)
            CodeCentre centre = PartitionCentre(partition);
            double norm = _norms[row];
            double score = sorted[i].Score;
            double spread, centreSquares = querySquares;
            if (centre.IsZero)
            {
                var (ownPartition, local) = _lists.Locate(row);
                double ip = l2 ? (score - Partitions[ownPartition].Offsets.Span[local]) / 2 : score;
                spread = auto.ZeroCentreSpread(norm, ip);
            }
            else
            {
                centreSquares = auto.CentreSquares(scratch.Shifts[partition], centre.SquaredNorm);
                spread = auto.CentredSpread(norm, centreSquares, RefinesCandidates ? CodePartOf(scratch, row, centre) : 0);
            }
            float margin = auto.CentredMargin(norm, centreSquares, spread);
            upper[i] = (float)score + margin;
            margins[i] = margin;
            maxMargin = MathF.Max(maxMargin, margin);
        }
        return maxMargin;
    }

    /// <summary>The scan's lead window for auto re-ranking (<see cref="AutoRerank.Window"/>): ‖q − c‖ for the flat
    /// centre, or at most ‖q‖ + max‖c_l‖ over IVF lists, for centred records.</summary>
    private float AutoWindow(QueryScratch scratch, double z)
    {
        AutoRerank auto = AutoRerankFor(scratch, z);
        double querySquares = scratch.Estimator.QuerySquaredNorm;
        double? centreNorm = !_centred ? null
            : ListCount == 1 ? Math.Sqrt(auto.CentreSquares(scratch.Shifts[0], _centre.SquaredNorm))
            : Math.Sqrt(querySquares) + _lists.MaxCentreNorm;
        return auto.Window(_maxNorm, centreNorm);
    }
}

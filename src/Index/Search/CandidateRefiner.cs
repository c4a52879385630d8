using VectorDb.Index.Estimation;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

/// <summary>
/// Refinement of the scan's candidates (format 2, codes relative to the collection centre): the scan ranks by its
/// fast approximations of Σ_j ŷ_j·c[code_j] (8-bit lookup tables for 1, 2 and 4 bits, the int8 grid for the other
/// widths), whose rounding costs recall where the codes are fine (about 0.4 points at 4 bits and 1-2 at 8 on real
/// sets). Each candidate's estimate is recomputed from its record in float (centroids looked up, no tables), so the
/// candidates are ranked by the estimator itself, and a search without re-ranking scans a pool of
/// <see cref="RefinePool"/>·k before keeping k. Trained residual lists refine from the rows' list records, with the
/// centre term of each row's list. Reads the index under its read lock; allocates nothing once the scratch is warm.
/// </summary>
/// <param name="lists">The lists (each row's list and centre term).</param>
/// <param name="placement">The record each row's codes come from.</param>
/// <param name="centring">Whether records are centred.</param>
/// <param name="quantizer">Layout and codebook.</param>
/// <param name="metric">The index's metric.</param>
internal sealed class CandidateRefiner(IvfLists lists, RowPlacement placement, CodeCentring centring, IVectorQuantizer quantizer,
    Metric metric)
{
    /// <summary>
    /// Candidates per result a search without re-ranking takes from the scan for refinement: 2·k gave the same recall@10
    /// as 3·k in all 16 cells measured (4 real sets × b = 1, 2, 4, 8) while 1·k (no refinement) lost up to 1.5 points
    /// at b = 8; a smaller pool lowers the scan's threshold less, so fewer blocks pass its pre-filter
    /// (bench/results/compare/refine-pool-2026-12-05/).
    /// </summary>
    public const int RefinePool = 2;

    /// <summary>Whether the candidates' estimates are refined from the records (see the type's remarks).</summary>
    public bool Refines => centring.IsCentred;

    /// <summary>
    /// Replaces the estimates of the sorted candidates by the estimator's exact float value from their records
    /// (K + B + A·Σ_j w_j·c[code_j], w = Πq, ×2 on the code part for L2) and sorts them again, best first.
    /// </summary>
    public void Refine(QueryScratch scratch, int candidates)
    {
        ReadOnlySpan<float> weights = scratch.Estimator.RotatedQuery; // Πq: the offsets hold the centre's share
        ReadOnlySpan<float> centroids = quantizer.Codebook!.Centroids;
        Span<byte> codes = scratch.Codes;
        // Residual lists: each row's list centre term, which the scan set for every list it probed. Otherwise every
        // partition shares the collection centre; a flat query computed its shift when it was prepared.
        bool residualLists = lists.Residual;
        float sharedShift = residualLists ? 0f : (float)(lists.Count == 1 ? scratch.Shifts[0] : lists.CentreShift(0, scratch.Query));
        float codeFactor = metric == Metric.L2 ? 2f : 1f;
        for (int i = 0; i < candidates; i++)
        {
            RecordEstimate.Prefetch(placement.ScanRecordOf(scratch.Sorted[i].Slot));
        }
        for (int i = 0; i < candidates; i++)
        {
            int row = scratch.Sorted[i].Slot;
            float shift = residualLists ? (float)scratch.Shifts[lists.ListOf(row)] : sharedShift;
            float score = RecordEstimate.Refined(quantizer.Layout, placement.ScanRecordOf(row), weights, centroids, codes, codeFactor, shift);
            scratch.Sorted[i] = new ScoredSlot(row, score);
        }
        scratch.Sorted.AsSpan(0, candidates).Sort(static (a, b) =>
            ScoredSlot.IsBetter(a.Score, a.Slot, b.Score, b.Slot) ? -1 : ScoredSlot.IsBetter(b.Score, b.Slot, a.Score, a.Slot) ? 1 : 0);
    }

    /// <summary>The code part of a centred row's estimate (<see cref="RecordEstimate.CodePart"/>; from the list record
    /// for residual lists): the estimate of ⟨q − c, r⟩ whose error the auto re-rank margin bounds.</summary>
    public double CodePartOf(QueryScratch scratch, int row, CodeCentre centre) =>
        RecordEstimate.CodePart(quantizer.Layout, placement.ScanRecordOf(row), scratch.Estimator.RotatedQuery, centre.Rotated,
            quantizer.Codebook!.Centroids, scratch.Codes);
}

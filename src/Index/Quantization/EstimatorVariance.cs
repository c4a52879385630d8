namespace VectorDb.Index.Quantization;

/// <summary>
/// A quantizer's error model for its inner-product estimate ⟨q, x̂⟩ (algorithms.md §3), which the auto re-rank's
/// confidence bound reads: Var ≈ <see cref="Factor"/>·(‖x‖²‖q‖² − ⟨q, x⟩²)/(d − 1) with the (1 − cos²) factor
/// (<see cref="CosineFactor"/>), else Factor·‖x‖²‖q‖²/d. Each quantizer states its own
/// (<see cref="IVectorQuantizer.Variance"/>), so nothing that searches switches over schemes.
/// </summary>
/// <param name="Factor">V: D/(1 − D) for the scaled codebooks (D the codebook's per-coordinate MSE); (π/2)·D_(b−1)
/// for tq-prod, whose QJL part has no cos factor.</param>
/// <param name="Shrink">What the estimate is scaled by on average: 1 for an unbiased estimate, 1 − D for the biased
/// schemes, ρ ≈ √(1 − D) for ρ-ranked records (docs/codec.md "Centred codes").</param>
/// <param name="CosineFactor">Whether the variance has the (1 − cos²) factor.</param>
/// <param name="NormFactor">f in ‖r‖ ≈ |A|·√d·f, the residual norm a centred record's scale A implies: 1 − D for
/// eden-unbiased (A = ‖r‖²/⟨Πr, q̂⟩ and ⟨Πr, q̂⟩ ≈ ‖r‖·√d·(1 − D) by the Lloyd-Max centroid condition), √(1 − D)
/// ρ-ranked, 1 for the biased scales (A ≈ ‖r‖/√d).</param>
public readonly record struct EstimatorVariance(double Factor, double Shrink, bool CosineFactor, double NormFactor);

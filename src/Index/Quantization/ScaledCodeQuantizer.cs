using System.Runtime.CompilerServices;
using VectorDb.Index.Common;
using VectorDb.Index.Estimation;

namespace VectorDb.Index.Quantization;

/// <summary>
/// eden-unbiased, eden-biased and tq-mse: b-bit Lloyd-Max codes of z = √d·Πx/‖x‖ plus (A, N). The three differ only
/// in the scale A (algorithms.md §3), with y = Πx and q = c[code]:
/// eden-unbiased A = ‖x‖²/⟨y, q⟩ (then ⟨x̂, x⟩ = ‖x‖² exactly and E_Π x̂ = x for a Haar Π);
/// eden-biased A = ⟨y, q⟩/‖q‖² (least squares, minimizes ‖x − x̂‖ for the given codes);
/// tq-mse A = ‖x‖/√d (the codebook frame scaled back). Decode: x̂ = A·Πᵀq.
/// </summary>
internal sealed class ScaledCodeQuantizer : QuantizerBase
{
    public ScaledCodeQuantizer(QuantizerOptions options, SimdLevel? level) : base(options, level)
    {
    }

    protected override void EncodeChecked(ReadOnlySpan<float> vector, double squaredNorm, Span<byte> record, Span<float> y,
        Span<byte> codes)
    {
        if (squaredNorm == 0)
        {
            WriteZeroCodes(record, codes);
            Layout.WriteMetadata(record, 0f, 0f, 0f);
            return;
        }
        double norm = Math.Sqrt(squaredNorm);
        Rotation.Forward(vector, y);
        var sums = CodeAssignment.Assign(y, (float)(SqrtDimension / norm), Codebook!, codes, Level);
        BitPacking.Pack(codes, Codebook!.Bits, record.Slice(0, Layout.CodeBytes));
        double centroidNorm = Math.Sqrt(sums.CentroidSquares);
        (double scale, double storedNorm) = Options.Scheme switch
        {
            QuantizerScheme.EdenUnbiased => (squaredNorm / sums.RotatedDotCentroids, norm),
            QuantizerScheme.EdenBiased => (sums.RotatedDotCentroids / sums.CentroidSquares, sums.RotatedDotCentroids / centroidNorm),
            _ => (norm / SqrtDimension, norm / SqrtDimension * centroidNorm),
        };
        Layout.WriteMetadata(record, (float)scale, 0f, (float)storedNorm);
    }

    /// <summary>
    /// Format v2 (centred) encoding: the codes of r = x − c with this scheme's scale A, and over the record's second
    /// float the offset B the centred estimator needs (with <paramref name="rhoRanking"/>, eden-unbiased stores the
    /// matched-norm scale ‖r‖/‖q‖ = ρ·S instead of S) (docs/codec.md "Centred codes"): β = ⟨c, r⟩ − A·⟨Πc, q⟩ for
    /// inner product and cosine, 2β − ‖x‖² for L2 (in double before the float store). With the zero centre the record is flagged
    /// uncentred (A stored with its sign bit set; A ≥ 0 otherwise). Allocation-free.
    /// </summary>
    [SkipLocalsInit]
    internal void EncodeCentred(ReadOnlySpan<float> vector, CodeCentre centre, bool l2, Span<byte> record, bool rhoRanking = false,
        int scaleSearch = 0)
    {
        VectorChecks.SquaredNorm(vector, Dimension, nameof(vector), Level);
        Layout.CheckRecord(record, nameof(record));
        int d = Dimension;
        float[]? rentedFloats = null;
        byte[]? rentedBytes = null;
        Span<float> residual = d <= StackCoordinates ? stackalloc float[d] : Rent(d, ref rentedFloats);
        Span<byte> codes = d <= StackCoordinates ? stackalloc byte[d] : Rent(d, ref rentedBytes);
        byte[]? rentedTrial = null;
        Span<byte> trial = scaleSearch == 0 ? default : d <= StackCoordinates ? stackalloc byte[d] : Rent(d, ref rentedTrial);
        try
        {
            ReadOnlySpan<float> c = centre.Vector;
            for (int j = 0; j < d; j++)
            {
                residual[j] = vector[j] - c[j];
            }
            double residualSquares = VectorChecks.SquaredNorm(residual, Dimension, nameof(vector), Level);
            // ⟨c, r⟩ from the float residual the codes are made of (its rounding is the code's, not the estimator's).
            double centreDotResidual = centre.Dot(residual, Level);
            double vectorSquares = l2 ? FixedOrderSums.SumOfSquares(vector, Level) : 0;
            double scale = 0, centreDotCodes = 0;
            if (residualSquares == 0)
            {
                WriteZeroCodes(record, codes);
            }
            else
            {
                double norm = Math.Sqrt(residualSquares);
                Rotation.Forward(residual, residual);
                var sums = scaleSearch == 0
                    ? CodeAssignment.Assign(residual, (float)(SqrtDimension / norm), Codebook!, codes, Level)
                    : SearchScale(residual, (float)(SqrtDimension / norm), scaleSearch, codes, trial);
                BitPacking.Pack(codes, Codebook!.Bits, record.Slice(0, Layout.CodeBytes));
                scale = Options.Scheme switch
                {
                    // ρ·S with ρ = ⟨y, q⟩/(‖r‖·‖q‖): the matched-norm scale ‖r‖/‖q‖.
                    QuantizerScheme.EdenUnbiased when rhoRanking => norm / Math.Sqrt(sums.CentroidSquares),
                    QuantizerScheme.EdenUnbiased => residualSquares / sums.RotatedDotCentroids,
                    QuantizerScheme.EdenBiased => sums.RotatedDotCentroids / sums.CentroidSquares,
                    _ => norm / SqrtDimension,
                };
                if (!centre.IsZero)
                {
                    centreDotCodes = CentroidDot(centre.Rotated, codes);
                }
            }
            float storedScale = (float)scale;
            // β = ⟨c, r⟩ − A·⟨Πc, q⟩ with the float A the scan multiplies by: ⟨q, x⟩ ≈ ⟨q, c⟩ + β + A·⟨Πq, q⟩.
            double beta = centreDotResidual - storedScale * centreDotCodes;
            double offset = l2 ? 2 * beta - vectorSquares : beta;
            // Negation sets the sign bit even for A = 0 (−0f), so the flag survives a zero residual.
            Layout.WriteMetadata(record, centre.IsZero ? -storedScale : storedScale, 0f, (float)offset);
        }
        finally
        {
            Return(rentedFloats);
            Return(rentedBytes);
            Return(rentedTrial);
        }
    }

    /// <summary>Σ_j w_j·c[code_j] in double (the centre's part of a code vector).</summary>
    private double CentroidDot(ReadOnlySpan<float> weights, ReadOnlySpan<byte> codes)
    {
        ReadOnlySpan<float> centroids = Codebook!.Centroids;
        double sum = 0;
        for (int j = 0; j < weights.Length; j++)
        {
            sum += (double)weights[j] * centroids[codes[j]];
        }
        return sum;
    }

    /// <summary>Relative step between the frame scalings a scale search tries: 1 ± k·step, k = 0..trials/2.</summary>
    internal const float ScaleSearchStep = 0.02f;

    /// <summary>
    /// Per-vector code selection: the codes of y under <paramref name="trials"/> scalings of the frame factor around
    /// the nominal one (1 + k·<see cref="ScaleSearchStep"/>, k centred on 0), keeping the codes q that maximise
    /// cos(y, q) (equivalently ⟨y, q⟩²/‖q‖²). Any codes give an unbiased estimate with S = ‖r‖²/⟨y, q⟩; the most
    /// aligned ones give the smallest error. Ties keep the earlier (nominal-first) trial. Returns the kept sums.
    /// </summary>
    private CodeAssignment.Sums SearchScale(ReadOnlySpan<float> y, float factor, int trials, Span<byte> best, Span<byte> trial)
    {
        var bestSums = CodeAssignment.Assign(y, factor, Codebook!, best, Level);
        double bestScore = bestSums.RotatedDotCentroids * bestSums.RotatedDotCentroids / bestSums.CentroidSquares;
        for (int t = 1; t < trials; t++)
        {
            int k = (t + 1) / 2 * (t % 2 == 1 ? 1 : -1); // 1, −1, 2, −2, ...
            var sums = CodeAssignment.Assign(y, factor * (1 + k * ScaleSearchStep), Codebook!, trial, Level);
            double score = sums.RotatedDotCentroids * sums.RotatedDotCentroids / sums.CentroidSquares;
            if (score > bestScore && sums.RotatedDotCentroids > 0)
            {
                bestScore = score;
                bestSums = sums;
                trial.CopyTo(best);
            }
        }
        return bestSums;
    }

    [SkipLocalsInit]
    public override void Decode(ReadOnlySpan<byte> record, Span<float> vector)
    {
        Layout.CheckRecord(record, nameof(record));
        VectorChecks.CheckOutput(vector, Dimension, nameof(vector));
        byte[]? rentedBytes = null;
        Span<byte> codes = Dimension <= StackCoordinates ? stackalloc byte[Dimension] : Rent(Dimension, ref rentedBytes);
        try
        {
            ScaledCentroids(record, Layout.ReadScale(record), codes, vector);
            Rotation.Inverse(vector, vector);
        }
        finally
        {
            Return(rentedBytes);
        }
    }

    public override InnerProductEstimator CreateEstimator() => new(Layout, Rotation, Codebook, projection: null, Level);

    /// <summary>Eden-unbiased is unbiased (shrink 1) unless its records hold ρ·S; eden-biased and tq-mse shrink the
    /// estimate by 1 − D. See <see cref="EstimatorVariance"/>.</summary>
    public override EstimatorVariance Variance(bool rhoRanked)
    {
        double mse = Codebook!.MeanSquaredError;
        bool unbiased = Options.Scheme == QuantizerScheme.EdenUnbiased;
        double shrink = rhoRanked ? Math.Sqrt(1 - mse) : unbiased ? 1.0 : 1.0 - mse;
        double normFactor = rhoRanked ? Math.Sqrt(1 - mse) : unbiased ? 1 - mse : 1;
        return new EstimatorVariance(mse / (1 - mse), shrink, CosineFactor: true, normFactor);
    }
}

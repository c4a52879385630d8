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

    [SkipLocalsInit]
    public override void Encode(ReadOnlySpan<float> vector, Span<byte> record)
    {
        double squaredNorm = VectorChecks.SquaredNorm(vector, Dimension, nameof(vector), Level);
        Layout.CheckRecord(record, nameof(record));
        int d = Dimension;
        float[]? rentedFloats = null;
        byte[]? rentedBytes = null;
        Span<float> y = d <= StackCoordinates ? stackalloc float[d] : Rent(d, ref rentedFloats);
        Span<byte> codes = d <= StackCoordinates ? stackalloc byte[d] : Rent(d, ref rentedBytes);
        try
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
                QuantizationScheme.EdenUnbiased => (squaredNorm / sums.RotatedDotCentroids, norm),
                QuantizationScheme.EdenBiased => (sums.RotatedDotCentroids / sums.CentroidSquares, sums.RotatedDotCentroids / centroidNorm),
                _ => (norm / SqrtDimension, norm / SqrtDimension * centroidNorm),
            };
            Layout.WriteMetadata(record, (float)scale, 0f, (float)storedNorm);
        }
        finally
        {
            Return(rentedFloats);
            Return(rentedBytes);
        }
    }

    /// <summary>
    /// Format v2 (centred) encoding: the codes of r = x − c with this scheme's scale A, and the offset B that the
    /// centred estimator needs (docs/codec.md "Centred codes"), written over the record's second float:
    /// β = ⟨c, r⟩ − A·⟨Πc, q⟩ for inner product and cosine, 2β − ‖x‖² for L2. With the zero centre β = 0 and the
    /// record is flagged uncentred (A stored with its sign bit set; A ≥ 0 otherwise). Allocation-free.
    /// </summary>
    [SkipLocalsInit]
    internal void EncodeCentred(ReadOnlySpan<float> vector, CodeCentre centre, bool l2, Span<byte> record)
    {
        double vectorSquares = VectorChecks.SquaredNorm(vector, Dimension, nameof(vector), Level);
        Layout.CheckRecord(record, nameof(record));
        int d = Dimension;
        float[]? rentedFloats = null;
        byte[]? rentedBytes = null;
        Span<float> residual = d <= StackCoordinates ? stackalloc float[d] : Rent(d, ref rentedFloats);
        Span<byte> codes = d <= StackCoordinates ? stackalloc byte[d] : Rent(d, ref rentedBytes);
        try
        {
            ReadOnlySpan<float> c = centre.Vector;
            for (int j = 0; j < d; j++)
            {
                residual[j] = vector[j] - c[j];
            }
            double residualSquares = VectorChecks.SquaredNorm(residual, Dimension, nameof(vector), Level);
            double scale = 0, centreDotCodes = 0;
            if (residualSquares == 0)
            {
                WriteZeroCodes(record, codes);
            }
            else
            {
                double norm = Math.Sqrt(residualSquares);
                Rotation.Forward(residual, residual);
                var sums = CodeAssignment.Assign(residual, (float)(SqrtDimension / norm), Codebook!, codes, Level);
                BitPacking.Pack(codes, Codebook!.Bits, record.Slice(0, Layout.CodeBytes));
                scale = Options.Scheme switch
                {
                    QuantizationScheme.EdenUnbiased => residualSquares / sums.RotatedDotCentroids,
                    QuantizationScheme.EdenBiased => sums.RotatedDotCentroids / sums.CentroidSquares,
                    _ => norm / SqrtDimension,
                };
                if (!centre.IsZero)
                {
                    centreDotCodes = CentroidDot(centre.Rotated, codes);
                }
            }
            float storedScale = (float)scale;
            // ⟨c, r⟩ = ⟨c, x⟩ − ‖c‖², both in double; β uses the float A the scan multiplies by.
            double centreDotResidual = centre.IsZero ? 0 : centre.Dot(vector, Level) - centre.SquaredNorm;
            double beta = centreDotResidual - storedScale * centreDotCodes;
            double offset = l2 ? 2 * beta - vectorSquares : beta;
            // Negation sets the sign bit even for A = 0 (−0f), so the flag survives a zero residual.
            Layout.WriteMetadata(record, centre.IsZero ? -storedScale : storedScale, 0f, (float)offset);
        }
        finally
        {
            Return(rentedFloats);
            Return(rentedBytes);
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
}

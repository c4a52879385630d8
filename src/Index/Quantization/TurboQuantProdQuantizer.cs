using System.Runtime.CompilerServices;
using VectorDb.Index.Common;
using VectorDb.Index.Estimation;
using VectorDb.Index.Rotation;

namespace VectorDb.Index.Quantization;

/// <summary>
/// tq-prod (TurboQuant_prod, algorithms.md §4.2): (b−1)-bit tq-mse codes, then 1-bit QJL of the residual.
/// In the rotated frame y = Πx: q = c[code], A = ‖x‖/√d, residual r = y − A·q, γ = ‖r‖, signs s = sign(P·r) with
/// P a second seeded Hadamard rotation (orthonormal rows, O(d log d)), B = γ·√(π/2)·κ_d/d.
/// <para>
/// The QJL constant: for a row p uniform on the unit sphere, E[⟨p,u⟩·sign⟨p,r⟩] = √(2/π)·⟨u,r⟩/(γ·κ_d) with
/// κ_d = E‖g‖ = √2·Γ((d+1)/2)/Γ(d/2) (≈ √d − 1/(4√d)), so Σ over the d rows times √(π/2)·κ_d·γ/d is unbiased for
/// ⟨u, r⟩ (algorithms.md §4.3's √(π/2)·√d/m, with the exact κ_d instead of √d). At d = 1, B = γ and the estimate is
/// exact. Decode: x̂ = Πᵀ(A·q + B·Pᵀs).
/// </para>
/// </summary>
internal sealed class TurboQuantProdQuantizer : QuantizerBase
{
    /// <summary>Mixed into the rotation seed to derive the projection seed. WARNING: baked into every stored record.</summary>
    public const ulong ProjectionSeedSalt = 0x514A_4C50_524F_4A31UL; // "QJLPROJ1"

    private readonly double _qjlFactor;

    public TurboQuantProdQuantizer(QuantizerOptions options, SimdLevel? level) : base(options, level)
    {
        Projection = new HadamardRotation(options.Dimension, ProjectionSeed(options.Seed), options.RotationRounds, Level);
        _qjlFactor = Math.Sqrt(Math.PI / 2) * GaussianNormMean(options.Dimension) / options.Dimension;
    }

    /// <summary>The QJL projection P.</summary>
    public HadamardRotation Projection { get; }

    /// <summary>Seed of P: the first SplitMix64 output for seed XOR <see cref="ProjectionSeedSalt"/>.</summary>
    public static ulong ProjectionSeed(ulong seed) => new SplitMix64(seed ^ ProjectionSeedSalt).NextUInt64();

    /// <summary>κ_d = E‖g‖ for g ~ N(0, I_d) = √2·Γ((d+1)/2)/Γ(d/2), by the recurrence ρ(d+2) = ρ(d)·(d+1)/d on
    /// ρ(d) = Γ((d+1)/2)/Γ(d/2), from ρ(1) = 1/√π and ρ(2) = √π/2.</summary>
    public static double GaussianNormMean(int dimension)
    {
        double ratio = dimension % 2 == 1 ? 1 / Math.Sqrt(Math.PI) : Math.Sqrt(Math.PI) / 2;
        for (int k = 2 - dimension % 2; k + 2 <= dimension; k += 2)
        {
            ratio *= (k + 1.0) / k;
        }
        return Math.Sqrt(2) * ratio;
    }

    protected override void EncodeChecked(ReadOnlySpan<float> vector, double squaredNorm, Span<byte> record, Span<float> y,
        Span<byte> codes)
    {
        int d = Dimension;
        Span<byte> signs = record.Slice(Layout.SignOffset, Layout.SignBytes);
        if (squaredNorm == 0)
        {
            WriteZeroCodes(record, codes);
            codes.Fill(1); // sign(0) counts as +1
            BitPacking.Pack(codes, 1, signs);
            Layout.WriteMetadata(record, 0f, 0f, 0f);
            return;
        }
        double norm = Math.Sqrt(squaredNorm);
        double scale = norm / SqrtDimension;
        Rotation.Forward(vector, y);
        if (Codebook is not null)
        {
            CodeAssignment.Assign(y, (float)(SqrtDimension / norm), Codebook, codes, Level);
            BitPacking.Pack(codes, Codebook.Bits, record.Slice(0, Layout.CodeBytes));
            ReadOnlySpan<float> centroids = Codebook.Centroids;
            float scaleFloat = (float)scale;
            for (int j = 0; j < d; j++)
            {
                y[j] -= scaleFloat * centroids[codes[j]]; // y becomes the residual r (rotated frame)
            }
        }
        double residualNorm = Math.Sqrt(FixedOrderSums.SumOfSquares(y, Level));
        Projection.Forward(y, y);
        for (int j = 0; j < d; j++)
        {
            codes[j] = y[j] >= 0 ? (byte)1 : (byte)0;
        }
        BitPacking.Pack(codes, 1, signs);
        Layout.WriteMetadata(record, (float)scale, (float)(residualNorm * _qjlFactor), (float)norm);
    }

    [SkipLocalsInit]
    public override void Decode(ReadOnlySpan<byte> record, Span<float> vector)
    {
        Layout.CheckRecord(record, nameof(record));
        VectorChecks.CheckOutput(vector, Dimension, nameof(vector));
        int d = Dimension;
        float[]? rentedFloats = null;
        byte[]? rentedBytes = null;
        Span<float> qjl = d <= StackCoordinates ? stackalloc float[d] : Rent(d, ref rentedFloats);
        Span<byte> codes = d <= StackCoordinates ? stackalloc byte[d] : Rent(d, ref rentedBytes);
        try
        {
            float qjlScale = Layout.ReadQjlScale(record);
            BitPacking.Unpack(Layout.Signs(record), 1, codes);
            for (int j = 0; j < d; j++)
            {
                qjl[j] = codes[j] == 1 ? qjlScale : -qjlScale;
            }
            Projection.Inverse(qjl, qjl);
            ScaledCentroids(record, Layout.ReadScale(record), codes, vector);
            for (int j = 0; j < d; j++)
            {
                vector[j] += qjl[j];
            }
            Rotation.Inverse(vector, vector);
        }
        finally
        {
            Return(rentedFloats);
            Return(rentedBytes);
        }
    }

    public override InnerProductEstimator CreateEstimator() => new(Layout, Rotation, Codebook, Projection, Level);

    /// <summary>Var ≈ (π/2)·D_(b−1)·‖x‖²‖q‖²/d, unbiased, no cos factor (D_0 = 1: b = 1 is QJL alone); records are
    /// never centred, so the norm factor is 1.</summary>
    public override EstimatorVariance Variance(bool rhoRanked) =>
        new(Math.PI / 2 * (Codebook?.MeanSquaredError ?? 1.0), 1.0, CosineFactor: false, NormFactor: 1);
}

using System.Buffers;
using System.Runtime.CompilerServices;
using VectorDb.Index.Common;
using VectorDb.Index.Estimation;
using VectorDb.Index.Rotation;

namespace VectorDb.Index.Quantization;

/// <summary>Creates the <see cref="IVectorQuantizer"/> for a set of options.</summary>
public static class VectorQuantizer
{
    /// <summary>
    /// Builds the quantizer. <paramref name="level"/> forces a kernel width (tests, benchmarks); null picks
    /// <see cref="SimdCapabilities.Best"/>. Every level produces byte-identical records.
    /// </summary>
    public static IVectorQuantizer Create(QuantizerOptions options, SimdLevel? level = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Scheme == QuantizerScheme.TurboQuantProd
            ? new TurboQuantProdQuantizer(options, level)
            : new ScaledCodeQuantizer(options, level);
    }
}

/// <summary>State and helpers shared by the two quantizer implementations.</summary>
internal abstract class QuantizerBase : IVectorQuantizer
{
    /// <summary>Up to this many coordinates, encode/decode scratch lives on the stack (4 KiB of floats); beyond it
    /// comes from ArrayPool.</summary>
    protected const int StackCoordinates = 1024;

    protected QuantizerBase(QuantizerOptions options, SimdLevel? level)
    {
        Options = options;
        Layout = CodeLayout.For(options);
        Level = level ?? SimdCapabilities.Best;
        Rotation = new HadamardRotation(options.Dimension, options.Seed, options.RotationRounds, Level);
        Codebook = options.CodeBits == 0 ? null : Codebook.Create(options.CodebookId, options.Dimension, options.CodeBits);
        SqrtDimension = Math.Sqrt(options.Dimension);
    }

    public QuantizerOptions Options { get; }

    public CodeLayout Layout { get; }

    public HadamardRotation Rotation { get; }

    public Codebook? Codebook { get; }

    public SimdLevel Level { get; }

    protected int Dimension => Options.Dimension;

    protected double SqrtDimension { get; }

    /// <summary>Checks the vector (dimension, finite values) and the record's length, then encodes it through
    /// <see cref="EncodeChecked"/> with scratch for the rotated coordinates and their codes (on the stack up to
    /// <see cref="StackCoordinates"/>, pooled beyond). Allocation-free.</summary>
    [SkipLocalsInit]
    public void Encode(ReadOnlySpan<float> vector, Span<byte> record)
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
            EncodeChecked(vector, squaredNorm, record, y, codes);
        }
        finally
        {
            Return(rentedFloats);
            Return(rentedBytes);
        }
    }

    /// <summary>Encodes a checked <paramref name="vector"/> (of squared norm <paramref name="squaredNorm"/>) into
    /// <paramref name="record"/>; <paramref name="y"/> (for the rotated coordinates) and <paramref name="codes"/> are
    /// uninitialised scratch of Dimension entries each.</summary>
    protected abstract void EncodeChecked(ReadOnlySpan<float> vector, double squaredNorm, Span<byte> record, Span<float> y,
        Span<byte> codes);

    public abstract void Decode(ReadOnlySpan<byte> record, Span<float> vector);

    public abstract InnerProductEstimator CreateEstimator();

    public abstract EstimatorVariance Variance(bool rhoRanked);

    /// <summary>Writes the codes of z = 0 (code 2^(b−1) − 1: the largest negative centroid, since the middle threshold
    /// 0 is not below 0) for a zero vector.</summary>
    protected void WriteZeroCodes(Span<byte> record, Span<byte> codes)
    {
        if (Codebook is null)
        {
            return;
        }
        codes.Fill((byte)(Codebook.Levels / 2 - 1));
        BitPacking.Pack(codes, Codebook.Bits, record.Slice(0, Layout.CodeBytes));
    }

    /// <summary>v_j = scale·c[code_j] for the index part of a record (zeros when there is none).</summary>
    protected void ScaledCentroids(ReadOnlySpan<byte> record, float scale, Span<byte> codes, Span<float> v)
    {
        if (Codebook is null)
        {
            v.Clear();
            return;
        }
        BitPacking.Unpack(Layout.Codes(record), Codebook.Bits, codes);
        ReadOnlySpan<float> centroids = Codebook.Centroids;
        for (int j = 0; j < v.Length; j++)
        {
            v[j] = scale * centroids[codes[j]];
        }
    }

    protected static Span<T> Rent<T>(int length, ref T[]? rented) where T : struct
    {
        rented = ArrayPool<T>.Shared.Rent(length);
        return rented.AsSpan(0, length);
    }

    protected static void Return<T>(T[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }
}

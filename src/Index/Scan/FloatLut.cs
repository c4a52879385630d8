namespace VectorDb.Index.Scan;

/// <summary>
/// Per-query float tables for <see cref="ByteCodes"/>: L[j·2^b + k] = w_j·c[k] (one float32 rounding per entry), so
/// a vector's estimate is Σ_j L[j·2^b + code_j], summed in coordinate order. d·2^b floats (d=100, b=8: 100 KiB).
/// Build is allocation-free; one instance serves one query at a time and may be reused.
/// </summary>
public sealed class FloatLut
{
    private readonly float[] _entries;

    public FloatLut(int dimension, int bitsPerCode)
    {
        PackedCodes.ValidateBits(bitsPerCode);
        if (dimension is < 1 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be 1..65536.");
        }
        Dimension = dimension;
        BitsPerCode = bitsPerCode;
        _entries = new float[dimension << bitsPerCode];
    }

    /// <summary>Creates tables shaped for <paramref name="codes"/>.</summary>
    public FloatLut(ByteCodes codes)
        : this((codes ?? throw new ArgumentNullException(nameof(codes))).Dimension, codes.BitsPerCode)
    {
    }

    public int Dimension { get; }

    public int BitsPerCode { get; }

    internal ReadOnlySpan<float> Entries => _entries;

    /// <summary>Fills the tables for one query (weights: length d; centroids: length 2^b).</summary>
    public void Build(ReadOnlySpan<float> weights, ReadOnlySpan<float> centroids)
    {
        if (weights.Length != Dimension)
        {
            throw new ArgumentException($"expected {Dimension} weights (one per coordinate), got {weights.Length}.", nameof(weights));
        }
        int entries = 1 << BitsPerCode;
        if (centroids.Length != entries)
        {
            throw new ArgumentException($"a {BitsPerCode}-bit codebook has {entries} centroids, got {centroids.Length}.", nameof(centroids));
        }
        FastScanLut.ThrowIfNotFinite(weights, nameof(weights));
        FastScanLut.ThrowIfNotFinite(centroids, nameof(centroids));
        for (int j = 0; j < Dimension; j++)
        {
            Span<float> row = _entries.AsSpan(j * entries, entries);
            float weight = weights[j];
            for (int k = 0; k < entries; k++)
            {
                row[k] = weight * centroids[k];
            }
        }
    }
}

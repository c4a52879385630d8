namespace VectorDb.Index.Scan;

/// <summary>
/// A query for <see cref="OneBitCodes"/>, quantized to <see cref="QueryBits"/> = 4 unsigned bits per coordinate and
/// sliced into 4 bit planes (RaBitQ): w_j ≈ Low + Step·u_j, u_j = Σ_p 2^p·plane_p[j]. With a 2-entry codebook,
/// Σ_j w_j·c[x_j] = c0·Σw + (c1 − c0)·Σ_j w_j·x_j and Σ_j w_j·x_j ≈ Low·popcount(x) + Step·Σ_p 2^p·popcount(x ∧ plane_p).
/// Error (derived): each |w_j − Low − Step·u_j| ≤ Step/2, so the estimate is off by at most
/// |c1 − c0|·popcount(x)·Step/2 ≤ |c1 − c0|·d·Step/2 (<see cref="ErrorBound"/>). Build is allocation-free.
/// </summary>
public sealed class BitPlaneQuery
{
    /// <summary>Query bits per coordinate (RaBitQ's B_q).</summary>
    public const int QueryBits = 4;

    private readonly ulong[] _planes;

    public BitPlaneQuery(int dimension)
    {
        if (dimension is < 1 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be 1..65536.");
        }
        Dimension = dimension;
        WordsPerVector = (dimension + 63) / 64;
        _planes = new ulong[QueryBits * WordsPerVector];
    }

    public int Dimension { get; }

    public int WordsPerVector { get; }

    /// <summary>Value of u_j = 0.</summary>
    public float Low { get; private set; }

    /// <summary>Value of one unit of u_j.</summary>
    public float Step { get; private set; }

    /// <summary>c0·Σ_j w_j (exact part of the estimate that does not depend on the vector).</summary>
    public float Constant { get; private set; }

    /// <summary>c1 − c0.</summary>
    public float Gap { get; private set; }

    /// <summary>|c1 − c0|·d·Step/2: the largest possible error of an estimate.</summary>
    public float ErrorBound => MathF.Abs(Gap) * Dimension * Step * 0.5f;

    /// <summary>Plane p occupies words [p·W, (p+1)·W), W = ⌈d/64⌉.</summary>
    internal ReadOnlySpan<ulong> Planes => _planes;

    public void Build(ReadOnlySpan<float> weights, ReadOnlySpan<float> centroids)
    {
        if (weights.Length != Dimension)
        {
            throw new ArgumentException($"expected {Dimension} weights (one per coordinate), got {weights.Length}.", nameof(weights));
        }
        if (centroids.Length != 2)
        {
            throw new ArgumentException($"a 1-bit codebook has 2 centroids, got {centroids.Length}.", nameof(centroids));
        }
        FastScanLut.ThrowIfNotFinite(weights, nameof(weights));
        FastScanLut.ThrowIfNotFinite(centroids, nameof(centroids));
        float low = weights[0], high = weights[0];
        double sum = 0;
        foreach (float w in weights)
        {
            low = MathF.Min(low, w);
            high = MathF.Max(high, w);
            sum += w;
        }
        const int levels = (1 << QueryBits) - 1;
        float step = high > low ? (high - low) / levels : 0f;
        float inverse = high > low ? levels / (high - low) : 0f;
        _planes.AsSpan().Clear();
        for (int j = 0; j < Dimension; j++)
        {
            int u = (int)Math.Clamp(MathF.Round((weights[j] - low) * inverse), 0f, levels);
            for (int p = 0; p < QueryBits; p++)
            {
                _planes[p * WordsPerVector + (j >> 6)] |= (ulong)((u >> p) & 1) << (j & 63);
            }
        }
        Low = low;
        Step = step;
        Constant = (float)(centroids[0] * sum);
        Gap = centroids[1] - centroids[0];
    }
}

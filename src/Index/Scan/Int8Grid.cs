namespace VectorDb.Index.Scan;

/// <summary>
/// Maps a codebook onto the symmetric int8 grid: g_k = round(c_k / <see cref="Step"/>) with Step = max|c|/127, so
/// |c_k − Step·g_k| ≤ Step/2. The integer dot-product path stores g + 128 (an unsigned byte) per coordinate instead of
/// the code, which makes the stored bytes depend on the codebook: WARNING: a store built with one grid must be scanned
/// with the same grid.
/// <para>Accuracy (derived): with the query also on an int8 grid (step s_w, see <see cref="Int8Query"/>), each term
/// w_j·c_j is off by at most |w_j|·Step/2 + |c_j|·s_w/2 + Step·s_w/4. For an 8-bit Lloyd-Max codebook (max |c| ≈ 4.3σ)
/// the grid's rounding noise (variance Step²/12 ≈ 9·10⁻⁵σ²) exceeds the codebook's own distortion
/// (D_8 ≈ 4·10⁻⁵σ²), i.e. the grid scan scores 8-bit codes at roughly 7-bit accuracy.</para>
/// </summary>
public sealed class Int8Grid
{
    private readonly sbyte[] _values;

    /// <param name="centroids">Codebook c[k], 2^b finite values (b = 1..8).</param>
    public Int8Grid(ReadOnlySpan<float> centroids)
    {
        int bits = System.Numerics.BitOperations.Log2((uint)centroids.Length);
        if (centroids.Length < 2 || centroids.Length > 256 || 1 << bits != centroids.Length)
        {
            throw new ArgumentException($"a codebook has 2^b centroids with b = 1..8, got {centroids.Length}.", nameof(centroids));
        }
        FastScanLut.ThrowIfNotFinite(centroids, nameof(centroids));
        float max = 0;
        foreach (float c in centroids)
        {
            max = MathF.Max(max, MathF.Abs(c));
        }
        BitsPerCode = bits;
        Step = max > 0 ? max / 127f : 1f;
        _values = new sbyte[centroids.Length];
        for (int k = 0; k < centroids.Length; k++)
        {
            _values[k] = (sbyte)Math.Clamp(MathF.Round(centroids[k] / Step), -127f, 127f);
        }
    }

    public int BitsPerCode { get; }

    /// <summary>Value of one grid unit (centroid units).</summary>
    public float Step { get; }

    /// <summary>g_k, the grid value of code k.</summary>
    public sbyte Value(int code) => _values[code];
}

namespace VectorDb.Index.Scan;

/// <summary>
/// A query on the symmetric int8 grid for <see cref="Int8GridCodes"/>: q_j = round(w_j/<see cref="Step"/>), Step =
/// max|w|/127, padded with zeros to whole quads. Since the store holds g + 128, the kernel's raw integer is
/// Σ q_j·(g_j + 128); <see cref="Correction"/> = 128·Σ q_j turns it into Σ q_j·g_j, and the estimate of Σ w_j·c_j is
/// Step·grid.Step·(that). Build is allocation-free.
/// </summary>
public sealed class Int8Query
{
    private readonly sbyte[] _weights;

    public Int8Query(int dimension)
    {
        if (dimension is < 1 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be 1..65536.");
        }
        Dimension = dimension;
        _weights = new sbyte[(dimension + 3) / 4 * 4];
    }

    public int Dimension { get; }

    /// <summary>Value of one query grid unit.</summary>
    public float Step { get; private set; }

    /// <summary>128·Σ q_j: subtract from the kernel's raw sum.</summary>
    public int Correction { get; private set; }

    internal ReadOnlySpan<sbyte> Weights => _weights;

    public void Build(ReadOnlySpan<float> weights)
    {
        if (weights.Length != Dimension)
        {
            throw new ArgumentException($"expected {Dimension} weights (one per coordinate), got {weights.Length}.", nameof(weights));
        }
        FastScanLut.ThrowIfNotFinite(weights, nameof(weights));
        float max = 0;
        foreach (float w in weights)
        {
            max = MathF.Max(max, MathF.Abs(w));
        }
        float step = max > 0 ? max / 127f : 1f;
        int sum = 0;
        for (int j = 0; j < Dimension; j++)
        {
            sbyte q = (sbyte)Math.Clamp(MathF.Round(weights[j] / step), -127f, 127f);
            _weights[j] = q;
            sum += q;
        }
        Step = step;
        Correction = 128 * sum;
    }
}

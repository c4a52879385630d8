namespace VectorDb.Index.Scan;

/// <summary>
/// Per-query lookup tables for the fast-scan kernels: for every group g of 4/b coordinates a 16-entry table
/// T_g[nibble] = Σ_{i in group} w_j·c[code_i(nibble)], quantized to bytes with a per-table offset and one shared
/// scale: T_g[n] ≈ offset_g + <see cref="Scale"/>·q_g[n], q in 0..255.
/// <para>Estimate of Σ_j w_j·c[code_j] for one vector: <c>Scale·S + Bias</c>, where S = Σ_g q_g[nibble_g] is the
/// kernels' exact integer sum and <see cref="Bias"/> = Σ_g offset_g. Scale Δ = max_g(max T_g − min T_g)/255, so the
/// widest table uses the full byte range. Each entry is off by at most Δ/2 (round to nearest), hence the estimate is
/// within <see cref="ErrorBound"/> = G·Δ/2 of the exact value (G = real groups; padding groups are all-zero and exact),
/// up to float32 rounding of the table entries and of the final multiply-add.</para>
/// <para>Byte entries keep the 16-bit accumulators exact for 256 groups (256·255 &lt; 65536); the kernels widen
/// to 32 bits every 256 groups, so any dimension the layout accepts is summed without overflow.</para>
/// Build is allocation-free; one instance serves one query at a time and may be reused for the next.
/// </summary>
public sealed class FastScanLut
{
    private readonly byte[] _tables;
    private readonly float[] _floatTables;

    public FastScanLut(int dimension, int bitsPerCode)
    {
        // The layout validates dimension and bits and defines the group geometry the tables must match.
        var geometry = new FastScanCodes(dimension, bitsPerCode);
        Dimension = dimension;
        BitsPerCode = bitsPerCode;
        CoordinatesPerGroup = geometry.CoordinatesPerGroup;
        RealGroupCount = geometry.RealGroupCount;
        GroupCount = geometry.GroupCount;
        _tables = new byte[GroupCount * FastScanCodes.GroupBytes];
        _floatTables = new float[RealGroupCount * 16];
    }

    /// <summary>Creates tables shaped for <paramref name="codes"/>.</summary>
    public FastScanLut(FastScanCodes codes)
        : this((codes ?? throw new ArgumentNullException(nameof(codes))).Dimension, codes.BitsPerCode)
    {
    }

    public int Dimension { get; }

    public int BitsPerCode { get; }

    public int CoordinatesPerGroup { get; }

    public int RealGroupCount { get; }

    public int GroupCount { get; }

    /// <summary>Δ: value of one unit of the integer sum.</summary>
    public float Scale { get; private set; }

    /// <summary>Σ_g offset_g: value of an integer sum of 0.</summary>
    public float Bias { get; private set; }

    /// <summary>G·Δ/2: the largest possible |Scale·S + Bias − Σ_j w_j·c[code_j]| from table rounding.</summary>
    public float ErrorBound => RealGroupCount * Scale * 0.5f;

    /// <summary>Quantized tables, 16 bytes per group, groups in order; padding groups are all zero.</summary>
    internal ReadOnlySpan<byte> Tables => _tables;

    /// <summary>Fills the tables for one query.</summary>
    /// <param name="weights">Per-coordinate weights w_j (the rotated query), length <see cref="Dimension"/>.</param>
    /// <param name="centroids">Codebook c[k], length 2^b.</param>
    public void Build(ReadOnlySpan<float> weights, ReadOnlySpan<float> centroids)
    {
        if (weights.Length != Dimension)
        {
            throw new ArgumentException($"expected {Dimension} weights (one per coordinate), got {weights.Length}.", nameof(weights));
        }
        if (centroids.Length != 1 << BitsPerCode)
        {
            throw new ArgumentException(
                $"a {BitsPerCode}-bit codebook has {1 << BitsPerCode} centroids, got {centroids.Length}.", nameof(centroids));
        }
        ThrowIfNotFinite(weights, nameof(weights));
        ThrowIfNotFinite(centroids, nameof(centroids));

        float maxRange = 0;
        double bias = 0;
        for (int g = 0; g < RealGroupCount; g++)
        {
            Span<float> table = _floatTables.AsSpan(g * 16, 16);
            FillGroupTable(weights, centroids, g, table);
            float min = table[0], max = table[0];
            for (int n = 1; n < 16; n++)
            {
                min = MathF.Min(min, table[n]);
                max = MathF.Max(max, table[n]);
            }
            maxRange = MathF.Max(maxRange, max - min);
            bias += min;
        }

        float scale = maxRange / 255f;
        float inverse = maxRange > 0 ? 255f / maxRange : 0f;
        for (int g = 0; g < RealGroupCount; g++)
        {
            ReadOnlySpan<float> table = _floatTables.AsSpan(g * 16, 16);
            float min = table[0];
            for (int n = 1; n < 16; n++)
            {
                min = MathF.Min(min, table[n]);
            }
            Span<byte> quantized = _tables.AsSpan(g * 16, 16);
            for (int n = 0; n < 16; n++)
            {
                float level = MathF.Round((table[n] - min) * inverse);
                quantized[n] = (byte)Math.Clamp(level, 0f, 255f);
            }
        }
        Scale = scale;
        Bias = (float)bias;
    }

    /// <summary>Dequantizes an integer sum from the kernels: Scale·S + Bias (one fused multiply-add).</summary>
    public float Dequantize(uint sum) => MathF.FusedMultiplyAdd(Scale, sum, Bias);

    /// <summary>The unquantized table of group g: entry n = Σ_i w_{g·m+i}·c[(n >> i·b) mod 2^b], m = 4/b.</summary>
    private void FillGroupTable(ReadOnlySpan<float> weights, ReadOnlySpan<float> centroids, int group, Span<float> table)
    {
        int first = group * CoordinatesPerGroup;
        int mask = (1 << BitsPerCode) - 1;
        for (int n = 0; n < 16; n++)
        {
            float sum = 0;
            for (int i = 0; i < CoordinatesPerGroup && first + i < Dimension; i++)
            {
                sum += weights[first + i] * centroids[(n >> (i * BitsPerCode)) & mask];
            }
            table[n] = sum;
        }
    }

    internal static void ThrowIfNotFinite(ReadOnlySpan<float> values, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException($"{name}[{i}] is {values[i]}; every value must be finite.", name);
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    private readonly float[] _groupMins;

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
        _groupMins = new float[RealGroupCount];
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

        if (Vector128.IsHardwareAccelerated)
        {
            BuildVectorized(weights, centroids);
        }
        else
        {
            BuildScalar(weights, centroids);
        }
    }

    /// <summary>The reference build: one table entry at a time.</summary>
    internal void BuildScalar(ReadOnlySpan<float> weights, ReadOnlySpan<float> centroids)
    {
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

    /// <summary>
    /// The same tables, bytes, <see cref="Scale"/> and <see cref="Bias"/> as <see cref="BuildScalar"/>, four entries
    /// per operation: every entry is the same float expression evaluated in the same order (0 + w_0·c + w_1·c + …,
    /// no fused multiply-add), minima and maxima are exact, rounding is to nearest even in both, and the bias is
    /// summed in double in group order. (Signed zeros may differ inside min/max but not in any value they yield.)
    /// </summary>
    [SkipLocalsInit]
    internal void BuildVectorized(ReadOnlySpan<float> weights, ReadOnlySpan<float> centroids)
    {
        // Centroid of coordinate i of a nibble n, for n = 0..15 in 4 vectors of 4: c[(n >> i·b) mod 2^b].
        Span<float> spread = stackalloc float[4 * 16];
        int mask = (1 << BitsPerCode) - 1;
        for (int i = 0; i < CoordinatesPerGroup; i++)
        {
            for (int n = 0; n < 16; n++)
            {
                spread[i * 16 + n] = centroids[(n >> (i * BitsPerCode)) & mask];
            }
        }
        ref float spreadRef = ref MemoryMarshal.GetReference(spread);
        ref float floatTables = ref MemoryMarshal.GetArrayDataReference(_floatTables);
        Span<float> mins = _groupMins;
        float maxRange = 0;
        double bias = 0;
        for (int g = 0; g < RealGroupCount; g++)
        {
            int first = g * CoordinatesPerGroup;
            Vector128<float> t0 = Vector128<float>.Zero, t1 = t0, t2 = t0, t3 = t0;
            for (int i = 0; i < CoordinatesPerGroup && first + i < Dimension; i++)
            {
                var w = Vector128.Create(weights[first + i]);
                t0 += w * Vector128.LoadUnsafe(ref spreadRef, (nuint)(i * 16));
                t1 += w * Vector128.LoadUnsafe(ref spreadRef, (nuint)(i * 16 + 4));
                t2 += w * Vector128.LoadUnsafe(ref spreadRef, (nuint)(i * 16 + 8));
                t3 += w * Vector128.LoadUnsafe(ref spreadRef, (nuint)(i * 16 + 12));
            }
            nuint at = (nuint)(g * 16);
            t0.StoreUnsafe(ref floatTables, at);
            t1.StoreUnsafe(ref floatTables, at + 4);
            t2.StoreUnsafe(ref floatTables, at + 8);
            t3.StoreUnsafe(ref floatTables, at + 12);
            float min = HorizontalMin(Vector128.Min(Vector128.Min(t0, t1), Vector128.Min(t2, t3)));
            float max = HorizontalMax(Vector128.Max(Vector128.Max(t0, t1), Vector128.Max(t2, t3)));
            mins[g] = min;
            maxRange = MathF.Max(maxRange, max - min);
            bias += min;
        }

        float scale = maxRange / 255f;
        var inverse = Vector128.Create(maxRange > 0 ? 255f / maxRange : 0f);
        ref byte tables = ref MemoryMarshal.GetArrayDataReference(_tables);
        for (int g = 0; g < RealGroupCount; g++)
        {
            var min = Vector128.Create(mins[g]);
            nuint at = (nuint)(g * 16);
            Vector128<uint> q0 = Quantize(Vector128.LoadUnsafe(ref floatTables, at), min, inverse);
            Vector128<uint> q1 = Quantize(Vector128.LoadUnsafe(ref floatTables, at + 4), min, inverse);
            Vector128<uint> q2 = Quantize(Vector128.LoadUnsafe(ref floatTables, at + 8), min, inverse);
            Vector128<uint> q3 = Quantize(Vector128.LoadUnsafe(ref floatTables, at + 12), min, inverse);
            Vector128.Narrow(Vector128.Narrow(q0, q1), Vector128.Narrow(q2, q3)).StoreUnsafe(ref tables, at);
        }
        Scale = scale;
        Bias = (float)bias;
    }

    /// <summary>round((t − min)·inverse) clamped to 0..255, as an integer (exact: the value is already integral).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Quantize(Vector128<float> table, Vector128<float> min, Vector128<float> inverse) =>
        Vector128.ConvertToUInt32(Vector128.Clamp(Vector128.Round((table - min) * inverse), Vector128<float>.Zero, Vector128.Create(255f)));

    private static float HorizontalMin(Vector128<float> v) =>
        MathF.Min(MathF.Min(v.GetElement(0), v.GetElement(1)), MathF.Min(v.GetElement(2), v.GetElement(3)));

    private static float HorizontalMax(Vector128<float> v) =>
        MathF.Max(MathF.Max(v.GetElement(0), v.GetElement(1)), MathF.Max(v.GetElement(2), v.GetElement(3)));

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

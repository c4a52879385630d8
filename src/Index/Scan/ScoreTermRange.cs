using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace VectorDb.Index.Scan;

/// <summary>
/// The range of the per-row scoring terms a scan's integer pre-filter needs (<see cref="SumThreshold"/>): the
/// smallest and largest factor A, the largest additive term B, and whether every one of them is finite.
/// <para>A range over a superset of the scanned rows is still a valid bound (only looser), so a partition keeps one
/// range over all its rows, folded in as rows are appended (<see cref="Include"/>), and every query and every part
/// of a split scan uses it instead of reading all factors again (≈ 8 µs per query at 200k rows).</para>
/// </summary>
internal readonly record struct ScoreTermRange(float FactorMin, float FactorMax, float OffsetMax, bool Finite, int Rows)
{
    /// <summary>The range of no rows (the filter is disabled for it).</summary>
    public static ScoreTermRange Empty { get; } = new(float.PositiveInfinity, float.NegativeInfinity, float.NegativeInfinity, true, 0);

    /// <summary>The range of these rows' factors and offsets (offsets empty: no additive term).</summary>
    public static ScoreTermRange Of(ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets)
    {
        (float factorMin, float factorMax, bool factorsFinite) = MinMax(factors);
        (_, float offsetMax, bool offsetsFinite) = offsets.IsEmpty ? (0f, float.NegativeInfinity, true) : MinMax(offsets);
        return new ScoreTermRange(factorMin, factorMax, offsetMax, factorsFinite && offsetsFinite, factors.Length);
    }

    /// <summary>This range with one more row (pass offset 0 when rows have no additive term).</summary>
    public ScoreTermRange Include(float factor, float offset) => new(
        MathF.Min(FactorMin, factor), MathF.Max(FactorMax, factor), MathF.Max(OffsetMax, offset),
        Finite && float.IsFinite(factor) && float.IsFinite(offset), Rows + 1);

    /// <summary>Minimum, maximum and whether every value is finite (one pass; four independent vector chains).</summary>
    private static (float Min, float Max, bool Finite) MinMax(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity, poison = 0f;
        int i = 0;
        ref float start = ref MemoryMarshal.GetReference(values);
        if (Vector512.IsHardwareAccelerated && values.Length >= 64)
        {
            // poison accumulates v·0, which is NaN for ±∞ or NaN and 0 otherwise: one op finds any non-finite value.
            // MinNative/MaxNative may drop a NaN, but poison catches it and the result is then discarded.
            Vector512<float> min0 = Vector512.Create(float.PositiveInfinity), min1 = min0, max0 = -min0, max1 = max0;
            Vector512<float> poison0 = Vector512<float>.Zero, poison1 = poison0;
            for (; i <= values.Length - 32; i += 32)
            {
                Vector512<float> a = Vector512.LoadUnsafe(ref start, (nuint)i);
                Vector512<float> b = Vector512.LoadUnsafe(ref start, (nuint)i + 16);
                min0 = Vector512.MinNative(min0, a);
                min1 = Vector512.MinNative(min1, b);
                max0 = Vector512.MaxNative(max0, a);
                max1 = Vector512.MaxNative(max1, b);
                poison0 += a * Vector512<float>.Zero;
                poison1 += b * Vector512<float>.Zero;
            }
            Vector512<float> mins = Vector512.MinNative(min0, min1), maxs = Vector512.MaxNative(max0, max1);
            poison = Vector512.Sum(poison0 + poison1);
            for (int lane = 0; lane < 16; lane++)
            {
                min = MathF.Min(min, mins.GetElement(lane));
                max = MathF.Max(max, maxs.GetElement(lane));
            }
        }
        for (; i < values.Length; i++)
        {
            float v = values[i];
            poison += v * 0f;
            min = MathF.Min(min, v);
            max = MathF.Max(max, v);
        }
        return float.IsNaN(poison) ? (0, 0, false) : (min, max, true);
    }
}

using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace VectorDb.Index.Scan;

/// <summary>
/// Integer pre-filter for the fused fast scan: the smallest kernel sum S whose best possible final score can still
/// reach the collector's threshold T, so that a block is compared with T in the integer domain and only rows at or
/// above that sum are converted to float.
/// <para>A row's score is fl(A·raw) (or fl(fma(raw, A, B)) with offsets), raw = fl(fma(Δ, S, β)). With every
/// factor A in [AMin, AMax], AMin ≥ 0, and every offset B ≤ BMax, that score is at most
/// U(S) = fl(raw·a) (or fl(fma(raw, a, BMax))) with a = AMax for raw ≥ 0 and a = AMin for raw &lt; 0: the exact
/// value is no larger and rounding is monotone. U is non-decreasing in S (Δ &gt; 0), so every row with
/// S &lt; <see cref="MinimumSum"/>(T) scores below T: skipping it changes nothing. With a negative or non-finite
/// factor, a non-finite offset or Δ ≤ 0 the filter is disabled (minimum sum 0: every row is scored).</para>
/// </summary>
internal readonly struct SumThreshold
{
    private readonly float _scale;
    private readonly float _bias;
    private readonly float _factorMin;
    private readonly float _factorMax;
    private readonly float _offsetMax;
    private readonly bool _hasOffsets;
    private readonly bool _enabled;

    private SumThreshold(float scale, float bias, float factorMin, float factorMax, float offsetMax, bool hasOffsets, bool enabled)
    {
        _scale = scale;
        _bias = bias;
        _factorMin = factorMin;
        _factorMax = factorMax;
        _offsetMax = offsetMax;
        _hasOffsets = hasOffsets;
        _enabled = enabled;
    }

    /// <summary>Whether the bound can prune at all (see the type's remarks for when it cannot).</summary>
    public bool Enabled => _enabled;

    /// <summary>Bounds for rows whose factors (and offsets, or none when empty) are the given spans.</summary>
    /// <param name="scale">Δ of the tables (<see cref="FastScanLut.Scale"/>).</param>
    /// <param name="bias">β of the tables (<see cref="FastScanLut.Bias"/>).</param>
    /// <param name="factors">A of every row the bound must cover.</param>
    /// <param name="offsets">B of the same rows, or empty when scores have no additive term.</param>
    public static SumThreshold Create(float scale, float bias, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets)
    {
        (float factorMin, float factorMax, bool factorsFinite) = Range(factors);
        (_, float offsetMax, bool offsetsFinite) = offsets.IsEmpty ? (0f, 0f, true) : Range(offsets);
        bool enabled = scale > 0 && float.IsFinite(scale) && float.IsFinite(bias) && factorsFinite && offsetsFinite
            && factors.Length > 0 && factorMin >= 0;
        return new SumThreshold(scale, bias, factorMin, factorMax, offsetMax, !offsets.IsEmpty, enabled);
    }

    /// <summary>
    /// The smallest S in [0, <paramref name="maxSum"/>] with U(S) ≥ <paramref name="threshold"/>, or
    /// <paramref name="maxSum"/> + 1 when no sum up to <paramref name="maxSum"/> can reach it; 0 when disabled or
    /// the threshold is −∞ (collector not full).
    /// </summary>
    public uint MinimumSum(float threshold, uint maxSum)
    {
        if (!_enabled || !(threshold > float.NegativeInfinity) || UpperBound(0) >= threshold)
        {
            return 0;
        }
        if (UpperBound(maxSum) < threshold)
        {
            return maxSum + 1;
        }
        // Invariant: U(low) < T ≤ U(high). First probe where the real-number inverse puts the answer (rounding makes
        // it off by a unit or two at most), then close the bracket by bisection.
        uint low = 0, high = maxSum;
        double factor = threshold - (_hasOffsets ? _offsetMax : 0f) >= 0 ? _factorMax : _factorMin;
        double raw = (threshold - (_hasOffsets ? (double)_offsetMax : 0)) / factor;
        double guess = Math.Ceiling((raw - _bias) / _scale);
        if (guess > low && guess <= high)
        {
            uint probe = (uint)guess;
            if (UpperBound(probe) >= threshold)
            {
                high = probe;
                if (UpperBound(probe - 1) < threshold)
                {
                    return probe;
                }
            }
            else
            {
                low = probe;
                if (probe < high && UpperBound(probe + 1) >= threshold)
                {
                    return probe + 1;
                }
            }
        }
        while (high - low > 1)
        {
            uint middle = low + (high - low) / 2;
            if (UpperBound(middle) >= threshold)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }
        return high;
    }

    /// <summary>U(S): the largest score any row with kernel sum S can get (same float operations as the scan).</summary>
    public float UpperBound(uint sum)
    {
        float raw = MathF.FusedMultiplyAdd(_scale, sum, _bias);
        float factor = raw >= 0 ? _factorMax : _factorMin;
        return _hasOffsets ? MathF.FusedMultiplyAdd(raw, factor, _offsetMax) : raw * factor;
    }

    /// <summary>Minimum, maximum and whether every value is finite (one pass; four independent vector chains).</summary>
    private static (float Min, float Max, bool Finite) Range(ReadOnlySpan<float> values)
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

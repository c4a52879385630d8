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
    public static SumThreshold Create(float scale, float bias, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets) =>
        Create(scale, bias, ScoreTermRange.Of(factors, offsets), hasOffsets: !offsets.IsEmpty);

    /// <summary>Bounds for rows whose terms lie in <paramref name="range"/> (a superset of the rows is fine).</summary>
    public static SumThreshold Create(float scale, float bias, ScoreTermRange range, bool hasOffsets)
    {
        bool enabled = scale > 0 && float.IsFinite(scale) && float.IsFinite(bias) && range.Finite && range.Rows > 0
            && range.FactorMin >= 0;
        return new SumThreshold(scale, bias, range.FactorMin, range.FactorMax, range.OffsetMax, hasOffsets, enabled);
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
}

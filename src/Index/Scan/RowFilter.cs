using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VectorDb.Index.Scan;

/// <summary>
/// The integer pre-filter of the pruned fast scan: from a block's 32 exact 16-bit sums, the rows whose score may still
/// reach the collector's threshold (bit v = vector v). A filter is conservative: a row it drops cannot reach the
/// threshold, so the rows scored, and the result, are the same as with no filter. The kernels are generic over it
/// (a struct, so each kernel is compiled per filter with no dispatch per block).
/// </summary>
/// <typeparam name="TSelf">The filter type itself.</typeparam>
internal interface IRowFilter<TSelf> where TSelf : IRowFilter<TSelf>, allows ref struct
{
    /// <summary>The rows of the block starting at row <paramref name="row"/> that pass (512-bit sums, lane v = vector v).</summary>
    uint Pass(Vector512<ushort> sums, nint row);

    /// <summary>The same from 256-bit halves (vectors 0..15 and 16..31).</summary>
    uint Pass(Vector256<ushort> first16, Vector256<ushort> last16, nint row);

    /// <summary>This filter for a new collector threshold (−∞: the collector is not full, every row passes).</summary>
    TSelf At(float threshold);

    /// <summary>A filter no row passes (an unused query slot of a batched pass).</summary>
    TSelf None();
}

/// <summary>
/// One minimum sum for every row (<see cref="SumThreshold"/>: the partition's widest factor and largest offset): one
/// compare per 32 rows. Right when the factors hardly vary (plain codes of unit vectors).
/// </summary>
internal readonly struct SumFloor : IRowFilter<SumFloor>
{
    private readonly SumThreshold _bound;
    private readonly Vector512<ushort> _minimum;

    private SumFloor(SumThreshold bound, ushort minimum)
    {
        _bound = bound;
        _minimum = Vector512.Create(minimum);
    }

    /// <summary>The filter for rows bounded by <paramref name="bound"/> at threshold <paramref name="threshold"/>.</summary>
    public static SumFloor Create(SumThreshold bound, float threshold) => new(bound, MinimumSum16(bound, threshold));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Pass(Vector512<ushort> sums, nint row) =>
        (uint)Vector512.GreaterThanOrEqual(sums, _minimum).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Pass(Vector256<ushort> first16, Vector256<ushort> last16, nint row)
    {
        Vector256<ushort> minimum = _minimum.GetLower();
        return Vector256.GreaterThanOrEqual(first16, minimum).ExtractMostSignificantBits()
            | Vector256.GreaterThanOrEqual(last16, minimum).ExtractMostSignificantBits() << 16;
    }

    public SumFloor At(float threshold) => Create(_bound, threshold);

    /// <summary>Minimum 65535: sums are ≤ 65280, so none reaches it.</summary>
    public SumFloor None() => new(_bound, ushort.MaxValue);

    /// <summary>The 16-bit integer threshold: sums are ≤ 65280, so 65535 (no sum reaches it) stands for "none can".</summary>
    private static ushort MinimumSum16(SumThreshold bound, float threshold) =>
        (ushort)Math.Min(bound.MinimumSum(threshold, ushort.MaxValue), ushort.MaxValue);
}

/// <summary>
/// Per row, 1/A and B/A (<see cref="RowBounds"/>'s inputs) with bounds on their magnitudes, for rows whose factor A and
/// offset B vary (centred codes: residual norms differ from row to row). Empty when the rows have no such terms.
/// </summary>
/// <param name="Inverses">1/A_i (0 where A_i ≤ 0 or not finite).</param>
/// <param name="Ratios">B_i/A_i (+∞ where A_i ≤ 0 or not finite: such a row always passes).</param>
/// <param name="MaxInverse">At least every 1/A_i (≥ 0).</param>
/// <param name="MaxRatioMagnitude">At least every finite |B_i/A_i|.</param>
internal readonly ref struct RowTerms(ReadOnlySpan<float> Inverses, ReadOnlySpan<float> Ratios, float MaxInverse, float MaxRatioMagnitude)
{
    public ReadOnlySpan<float> Inverses { get; } = Inverses;

    public ReadOnlySpan<float> Ratios { get; } = Ratios;

    public float MaxInverse { get; } = MaxInverse;

    public float MaxRatioMagnitude { get; } = MaxRatioMagnitude;

    public bool IsEmpty => Inverses.IsEmpty;

    /// <summary>The terms of rows [<paramref name="start"/>, start + <paramref name="length"/>) (same magnitude bounds).</summary>
    public RowTerms Slice(int start, int length) =>
        new(Inverses.Slice(start, length), Ratios.Slice(start, length), MaxInverse, MaxRatioMagnitude);
}

/// <summary>
/// A minimum sum per row: row i can reach the threshold T only if its sum S satisfies fl(fma(fl(fma(Δ, S, β)), A_i, B_i))
/// ≥ T, i.e. (to within rounding) S ≥ t_i = (T·(1/A_i) − B_i/A_i − β)/Δ. A row passes when S ≥ t_i − m − 1, where the
/// margin m (two units plus 2⁻¹⁸ of the largest magnitudes involved, from <see cref="RowTerms"/>' bounds) covers the
/// float rounding of both the score and t_i, and the −1 stands for rounding t_i down (S is an integer): never above the
/// exact bound, so no row that can enter is dropped. Two fused multiply-adds and one compare per 16 rows, in float
/// (16-bit sums convert exactly). A row with 1/A = 0 and B/A = +∞ always passes (t = −∞).
/// </summary>
internal readonly ref struct RowBounds : IRowFilter<RowBounds>
{
    private readonly ref float _inverses;
    private readonly ref float _ratios;
    private readonly float _maxInverse;
    private readonly float _maxRatioMagnitude;
    private readonly float _scale;
    private readonly float _bias;
    private readonly float _shiftMagnitude;
    // t_i − m − 1 = fma(_thresholdOverScale, 1/A_i, fma(_negativeInverseScale, B_i/A_i, _constant)), each term
    // broadcast once per threshold rather than once per block.
    private readonly Vector512<float> _thresholdOverScale;
    private readonly Vector512<float> _negativeInverseScale;
    private readonly Vector512<float> _constant;
    private readonly bool _all;

    private RowBounds(ref float inverses, ref float ratios, float maxInverse, float maxRatioMagnitude, float scale, float bias,
        float threshold, bool none, float shiftMagnitude = 0)
    {
        _inverses = ref inverses;
        _ratios = ref ratios;
        _maxInverse = maxInverse;
        _maxRatioMagnitude = maxRatioMagnitude;
        _scale = scale;
        _bias = bias;
        _shiftMagnitude = shiftMagnitude;
        if (none)
        {
            // NaN compares false with every sum: no row passes.
            _constant = Vector512.Create(float.NaN);
            return;
        }
        bool usable = scale > 0 && float.IsFinite(scale) && float.IsFinite(bias) && float.IsFinite(maxInverse)
            && float.IsFinite(maxRatioMagnitude) && float.IsFinite(shiftMagnitude);
        _all = !usable || !(threshold > float.NegativeInfinity);
        if (_all)
        {
            return;
        }
        double inverseScale = 1.0 / scale;
        double thresholdOverScale = Math.Clamp(threshold * inverseScale, -float.MaxValue, float.MaxValue);
        // A shifted pass (PassAt) uses T − s for |s| ≤ shiftMagnitude: its magnitude joins the threshold's.
        double margin = 2 + ((Math.Abs(thresholdOverScale) + shiftMagnitude * inverseScale) * maxInverse
            + maxRatioMagnitude * inverseScale + Math.Abs(bias) * inverseScale) / (1 << 18);
        _thresholdOverScale = Vector512.Create((float)thresholdOverScale);
        _negativeInverseScale = Vector512.Create((float)-inverseScale);
        _constant = Vector512.Create((float)(-bias * inverseScale - margin - 1));
    }

    /// <summary>The filter over <paramref name="terms"/> for tables of scale Δ and bias β at threshold T.</summary>
    public static RowBounds Create(RowTerms terms, float scale, float bias, float threshold) =>
        new(ref MemoryMarshal.GetReference(terms.Inverses), ref MemoryMarshal.GetReference(terms.Ratios), terms.MaxInverse,
            terms.MaxRatioMagnitude, scale, bias, threshold, none: false);

    /// <summary>The same filter for passes at thresholds T − s with |s| ≤ <paramref name="shiftMagnitude"/>
    /// (<see cref="PassAt(Vector512{ushort}, nint, float)"/>; its margin covers their rounding too).</summary>
    public static RowBounds CreateForShifts(RowTerms terms, float scale, float bias, float threshold, float shiftMagnitude) =>
        new(ref MemoryMarshal.GetReference(terms.Inverses), ref MemoryMarshal.GetReference(terms.Ratios), terms.MaxInverse,
            terms.MaxRatioMagnitude, scale, bias, threshold, none: false, shiftMagnitude);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Pass(Vector512<ushort> sums, nint row)
    {
        if (_all)
        {
            return uint.MaxValue;
        }
        Vector512<float> first = Vector512.ConvertToSingle(Avx512F.ConvertToVector512UInt32(sums.GetLower()));
        Vector512<float> last = Vector512.ConvertToSingle(Avx512F.ConvertToVector512UInt32(sums.GetUpper()));
        return (uint)Vector512.GreaterThanOrEqual(first, Minimum16(row)).ExtractMostSignificantBits()
            | (uint)Vector512.GreaterThanOrEqual(last, Minimum16(row + 16)).ExtractMostSignificantBits() << 16;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Pass(Vector256<ushort> first16, Vector256<ushort> last16, nint row) =>
        _all ? uint.MaxValue : Pass32(first16, last16, row, _thresholdOverScale.GetLower());

    /// <summary>(T − s)/Δ for a shift s, the value <see cref="PassAt(Vector512{ushort}, nint, float)"/> takes for a
    /// block whose scores the scan raises by s (|s| within the magnitude given to <see cref="CreateForShifts"/>).</summary>
    public float ThresholdOverScale(float shift) =>
        MathF.FusedMultiplyAdd(shift, _negativeInverseScale.ToScalar(), _thresholdOverScale.ToScalar());

    /// <summary><see cref="ThresholdOverScale"/> of every shift, 16 at a time (the same fused multiply-adds).</summary>
    public void ThresholdsOverScale(ReadOnlySpan<float> shifts, Span<float> destination)
    {
        int i = 0;
        for (; i + 16 <= shifts.Length; i += 16)
        {
            Vector512.FusedMultiplyAdd(Vector512.Create(shifts.Slice(i, 16)), _negativeInverseScale, _thresholdOverScale)
                .CopyTo(destination.Slice(i, 16));
        }
        for (; i < shifts.Length; i++)
        {
            destination[i] = ThresholdOverScale(shifts[i]);
        }
    }

    /// <summary>Whether every row passes (the threshold is −∞, or the terms are not usable for a bound).</summary>
    public bool PassesAll => _all;

    /// <summary><see cref="Pass(Vector512{ushort}, nint)"/> with T/Δ replaced by <paramref name="thresholdOverScale"/>
    /// (<see cref="ThresholdOverScale"/> of the block's shift).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint PassAt(Vector512<ushort> sums, nint row, float thresholdOverScale)
    {
        if (_all)
        {
            return uint.MaxValue;
        }
        Vector512<float> threshold = Vector512.Create(thresholdOverScale);
        Vector512<float> first = Vector512.ConvertToSingle(Avx512F.ConvertToVector512UInt32(sums.GetLower()));
        Vector512<float> last = Vector512.ConvertToSingle(Avx512F.ConvertToVector512UInt32(sums.GetUpper()));
        return (uint)Vector512.GreaterThanOrEqual(first, Minimum16(row, threshold)).ExtractMostSignificantBits()
            | (uint)Vector512.GreaterThanOrEqual(last, Minimum16(row + 16, threshold)).ExtractMostSignificantBits() << 16;
    }

    /// <summary><see cref="PassAt(Vector512{ushort}, nint, float)"/> from 256-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint PassAt(Vector256<ushort> first16, Vector256<ushort> last16, nint row, float thresholdOverScale) =>
        _all ? uint.MaxValue : Pass32(first16, last16, row, Vector256.Create(thresholdOverScale));

    public RowBounds At(float threshold) =>
        new(ref _inverses, ref _ratios, _maxInverse, _maxRatioMagnitude, _scale, _bias, threshold, none: false, _shiftMagnitude);

    public RowBounds None() => new(ref _inverses, ref _ratios, _maxInverse, _maxRatioMagnitude, _scale, _bias, 0, none: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<float> Minimum16(nint row) => Minimum16(row, _thresholdOverScale);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<float> Minimum16(nint row, Vector512<float> thresholdOverScale) => Vector512.FusedMultiplyAdd(
        thresholdOverScale, Vector512.LoadUnsafe(ref _inverses, (nuint)row),
        Vector512.FusedMultiplyAdd(_negativeInverseScale, Vector512.LoadUnsafe(ref _ratios, (nuint)row), _constant));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Pass32(Vector256<ushort> first16, Vector256<ushort> last16, nint row, Vector256<float> thresholdOverScale) =>
        Pass8(Avx2.ConvertToVector256Int32(first16.GetLower()), row, thresholdOverScale)
        | Pass8(Avx2.ConvertToVector256Int32(first16.GetUpper()), row + 8, thresholdOverScale) << 8
        | Pass8(Avx2.ConvertToVector256Int32(last16.GetLower()), row + 16, thresholdOverScale) << 16
        | Pass8(Avx2.ConvertToVector256Int32(last16.GetUpper()), row + 24, thresholdOverScale) << 24;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Pass8(Vector256<int> sums, nint row, Vector256<float> thresholdOverScale)
    {
        Vector256<float> minimum = Vector256.FusedMultiplyAdd(thresholdOverScale,
            Vector256.LoadUnsafe(ref _inverses, (nuint)row),
            Vector256.FusedMultiplyAdd(_negativeInverseScale.GetLower(), Vector256.LoadUnsafe(ref _ratios, (nuint)row),
                _constant.GetLower()));
        return Vector256.GreaterThanOrEqual(Vector256.ConvertToSingle(sums), minimum).ExtractMostSignificantBits();
    }
}

/// <summary>
/// <see cref="RowBounds"/> for pooled code lists (<c>CodeListBlocks</c>): each 32-row block belongs to one list, whose
/// rows score s_l higher than their codes say (the list's centre term), so the block's rows are bounded at T − s_l.
/// (T − s_l)/Δ is computed for every list whenever the threshold moves (<see cref="At"/>: a few dozen times per query)
/// into a buffer the caller owns, so a block costs one list lookup and one broadcast load more than
/// <see cref="RowBounds"/>.
/// </summary>
internal readonly ref struct ListRowBounds : IRowFilter<ListRowBounds>
{
    private readonly RowBounds _bounds;
    private readonly ReadOnlySpan<int> _blockLists;
    private readonly ReadOnlySpan<float> _listShifts;
    private readonly Span<float> _listThresholds;

    private ListRowBounds(RowBounds bounds, ReadOnlySpan<int> blockLists, ReadOnlySpan<float> listShifts,
        Span<float> listThresholds)
    {
        _bounds = bounds;
        _blockLists = blockLists;
        _listShifts = listShifts;
        _listThresholds = listThresholds;
        if (!bounds.PassesAll)
        {
            bounds.ThresholdsOverScale(listShifts, listThresholds);
        }
    }

    /// <summary>The filter over <paramref name="terms"/> (from a block start) whose block b belongs to list
    /// <paramref name="blockLists"/>[b] with shift <paramref name="listShifts"/>[list], |shift| ≤
    /// <paramref name="shiftMagnitude"/>, at the collector's unshifted threshold T; <paramref name="listThresholds"/>
    /// (one float per list) is its working buffer, rewritten by <see cref="At"/>.</summary>
    public static ListRowBounds Create(RowTerms terms, ReadOnlySpan<int> blockLists, ReadOnlySpan<float> listShifts,
        Span<float> listThresholds, float shiftMagnitude, float scale, float bias, float threshold) =>
        new(RowBounds.CreateForShifts(terms, scale, bias, threshold, shiftMagnitude), blockLists, listShifts,
            listThresholds[..listShifts.Length]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Pass(Vector512<ushort> sums, nint row) => _bounds.PassAt(sums, row, ThresholdAt(row));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Pass(Vector256<ushort> first16, Vector256<ushort> last16, nint row) =>
        _bounds.PassAt(first16, last16, row, ThresholdAt(row));

    public ListRowBounds At(float threshold) => new(_bounds.At(threshold), _blockLists, _listShifts, _listThresholds);

    public ListRowBounds None() => new(_bounds.None(), _blockLists, _listShifts, _listThresholds);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float ThresholdAt(nint row) => Unsafe.Add(ref MemoryMarshal.GetReference(_listThresholds),
        Unsafe.Add(ref MemoryMarshal.GetReference(_blockLists), (nint)((nuint)row / FastScanCodes.BlockSize)));
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;

namespace VectorDb.Index.Quantization;

/// <summary>
/// Float-vector reductions in double precision with one fixed summation order, so that every <see cref="SimdLevel"/>
/// returns the same bits (the per-vector scales derived from them are stored, and a golden-bytes test pins them).
/// <para>
/// Order contract: element j is added to lane j mod 8 of eight double accumulators, in increasing j; the lanes are
/// then combined as ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)). Products of two floats are exact in double (24+24 &lt; 53
/// mantissa bits), so fused or separate multiply-add give the same result and only the addition order matters.
/// Norms of float vectors cannot overflow in double (‖x‖² ≤ 2^24 · (3.4e38)² ≈ 2e83).
/// </para>
/// </summary>
internal static class FixedOrderSums
{
    /// <summary>Σ x_j² in double.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x, SimdLevel level) => Dot(x, x, level);

    /// <summary>Σ a_j·b_j in double.</summary>
    [SkipLocalsInit]
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b, SimdLevel level)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"lengths differ: {a.Length} and {b.Length}.", nameof(b));
        }
        Span<double> lanes = stackalloc double[8];
        return Dot(a, b, lanes, level);
    }

    /// <summary>
    /// <see cref="Dot(ReadOnlySpan{float}, ReadOnlySpan{float}, SimdLevel)"/> of <paramref name="v"/> with each row of
    /// <paramref name="rows"/> (row-major, results.Length rows of v.Length floats), bit for bit, without the per-call
    /// set-up (a query's centre terms for every code list, one call per query instead of one per list).
    /// </summary>
    [SkipLocalsInit]
    public static void DotRows(ReadOnlySpan<float> rows, ReadOnlySpan<float> v, Span<double> results, SimdLevel level)
    {
        int d = v.Length;
        if (rows.Length != (long)d * results.Length)
        {
            throw new ArgumentException($"{rows.Length} floats are not {results.Length} rows of {d}.", nameof(rows));
        }
        Span<double> lanes = stackalloc double[8];
        int i = 0;
        if (level == SimdLevel.Vector512 && Vector512.IsHardwareAccelerated)
        {
            // Four rows per pass share the loads and widening of v and keep four independent add chains in flight
            // (one row's chain is latency-bound); each row's lanes take the same additions in the same order.
            Span<double> lanes4 = stackalloc double[32];
            for (; i + 4 <= results.Length; i += 4)
            {
                lanes4.Clear();
                int done = Dot512x4(rows.Slice(i * d, 4 * d), v, lanes4);
                for (int r = 0; r < 4; r++)
                {
                    Span<double> rowLanes = lanes4.Slice(8 * r, 8);
                    ReadOnlySpan<float> row = rows.Slice((i + r) * d, d);
                    for (int j = done; j < d; j++)
                    {
                        rowLanes[j & 7] += (double)row[j] * v[j];
                    }
                    results[i + r] = Combine(rowLanes);
                }
            }
        }
        for (; i < results.Length; i++)
        {
            results[i] = Dot(rows.Slice(i * d, d), v, lanes, level);
        }
    }

    /// <summary><see cref="Dot512"/> of four consecutive rows of v.Length floats with v, into 8 lanes each.</summary>
    private static int Dot512x4(ReadOnlySpan<float> rows, ReadOnlySpan<float> v, Span<double> lanes)
    {
        ref float rv = ref MemoryMarshal.GetReference(v);
        ref float r0 = ref MemoryMarshal.GetReference(rows);
        nuint d = (nuint)v.Length;
        var acc0 = Vector512<double>.Zero;
        var acc1 = Vector512<double>.Zero;
        var acc2 = Vector512<double>.Zero;
        var acc3 = Vector512<double>.Zero;
        nuint j = 0;
        for (; j + 16 <= d; j += 16)
        {
            var (vLo, vHi) = Vector512.Widen(Vector512.LoadUnsafe(ref rv, j));
            var (aLo, aHi) = Vector512.Widen(Vector512.LoadUnsafe(ref r0, j));
            var (bLo, bHi) = Vector512.Widen(Vector512.LoadUnsafe(ref r0, d + j));
            var (cLo, cHi) = Vector512.Widen(Vector512.LoadUnsafe(ref r0, 2 * d + j));
            var (eLo, eHi) = Vector512.Widen(Vector512.LoadUnsafe(ref r0, 3 * d + j));
            acc0 += aLo * vLo;
            acc1 += bLo * vLo;
            acc2 += cLo * vLo;
            acc3 += eLo * vLo;
            acc0 += aHi * vHi;
            acc1 += bHi * vHi;
            acc2 += cHi * vHi;
            acc3 += eHi * vHi;
        }
        acc0.CopyTo(lanes);
        acc1.CopyTo(lanes.Slice(8));
        acc2.CopyTo(lanes.Slice(16));
        acc3.CopyTo(lanes.Slice(24));
        return (int)j;
    }

    /// <summary>The fixed-order dot product of equal-length spans, with 8 lanes of scratch.</summary>
    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<double> lanes, SimdLevel level)
    {
        lanes.Clear();
        int done = level switch
        {
            SimdLevel.Vector512 when Vector512.IsHardwareAccelerated => Dot512(a, b, lanes),
            SimdLevel.Vector256 when Vector256.IsHardwareAccelerated => Dot256(a, b, lanes),
            SimdLevel.Vector128 when Vector128.IsHardwareAccelerated => Dot128(a, b, lanes),
            _ => 0,
        };
        for (int j = done; j < a.Length; j++)
        {
            lanes[j & 7] += (double)a[j] * b[j];
        }
        return Combine(lanes);
    }

    /// <summary>The fixed lane combination shared by every level.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Combine(ReadOnlySpan<double> lanes) =>
        ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));

    private static int Dot512(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<double> lanes)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        var acc = Vector512<double>.Zero;
        int j = 0;
        for (; j + 16 <= a.Length; j += 16)
        {
            var (aLo, aHi) = Vector512.Widen(Vector512.LoadUnsafe(ref ra, (nuint)j));
            var (bLo, bHi) = Vector512.Widen(Vector512.LoadUnsafe(ref rb, (nuint)j));
            acc += aLo * bLo;
            acc += aHi * bHi;
        }
        acc.CopyTo(lanes);
        return j;
    }

    private static int Dot256(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<double> lanes)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        var accLo = Vector256<double>.Zero; // lanes 0..3
        var accHi = Vector256<double>.Zero; // lanes 4..7
        int j = 0;
        for (; j + 8 <= a.Length; j += 8)
        {
            var (aLo, aHi) = Vector256.Widen(Vector256.LoadUnsafe(ref ra, (nuint)j));
            var (bLo, bHi) = Vector256.Widen(Vector256.LoadUnsafe(ref rb, (nuint)j));
            accLo += aLo * bLo;
            accHi += aHi * bHi;
        }
        accLo.CopyTo(lanes);
        accHi.CopyTo(lanes.Slice(4));
        return j;
    }

    private static int Dot128(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<double> lanes)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        var acc01 = Vector128<double>.Zero;
        var acc23 = Vector128<double>.Zero;
        var acc45 = Vector128<double>.Zero;
        var acc67 = Vector128<double>.Zero;
        int j = 0;
        for (; j + 8 <= a.Length; j += 8)
        {
            var (a0, a1) = Vector128.Widen(Vector128.LoadUnsafe(ref ra, (nuint)j));
            var (b0, b1) = Vector128.Widen(Vector128.LoadUnsafe(ref rb, (nuint)j));
            var (a2, a3) = Vector128.Widen(Vector128.LoadUnsafe(ref ra, (nuint)(j + 4)));
            var (b2, b3) = Vector128.Widen(Vector128.LoadUnsafe(ref rb, (nuint)(j + 4)));
            acc01 += a0 * b0;
            acc23 += a1 * b1;
            acc45 += a2 * b2;
            acc67 += a3 * b3;
        }
        acc01.CopyTo(lanes);
        acc23.CopyTo(lanes.Slice(2));
        acc45.CopyTo(lanes.Slice(4));
        acc67.CopyTo(lanes.Slice(6));
        return j;
    }
}

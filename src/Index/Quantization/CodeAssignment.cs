using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;

namespace VectorDb.Index.Quantization;

/// <summary>
/// The quantization step of the encoder: for rotated coordinates y_j and a frame factor f (= √d/‖x‖),
/// z_j = y_j·f (one float multiply), code_j = #{k : t_k &lt; z_j}, q_j = c[code_j], and the two double sums the
/// per-vector scales need, Σ y_j·q_j and Σ q_j², in <see cref="FixedOrderSums"/>' lane order.
/// <para>
/// Every level gives identical codes and identical sums: z is one IEEE multiply everywhere, the count of thresholds
/// below z does not depend on the order the thresholds are tested in, q is selected (never computed), and the sums
/// follow the fixed lane order. SIMD levels run for b ≤ 4 (at most 15 thresholds: a compare, a subtract and a
/// select per threshold); wider codebooks use a uniform-grid guess plus a short exact walk (scalar) at every level.
/// </para>
/// </summary>
internal static class CodeAssignment
{
    /// <summary>Largest bit width handled by the vector compare chain.</summary>
    public const int MaxSimdBits = 4;

    /// <summary>Sums produced alongside the codes.</summary>
    public readonly record struct Sums(double RotatedDotCentroids, double CentroidSquares);

    /// <summary>Writes one code byte per coordinate and returns Σ y·q and Σ q².</summary>
    [SkipLocalsInit]
    public static Sums Assign(ReadOnlySpan<float> y, float factor, Codebook codebook, Span<byte> codes, SimdLevel level)
    {
        Span<double> yq = stackalloc double[8];
        Span<double> qq = stackalloc double[8];
        yq.Clear();
        qq.Clear();
        int done = 0;
        if (codebook.Bits <= MaxSimdBits)
        {
            done = level switch
            {
                SimdLevel.Vector512 when Vector512.IsHardwareAccelerated => Assign512(y, factor, codebook, codes, yq, qq),
                SimdLevel.Vector256 when Vector256.IsHardwareAccelerated => Assign256(y, factor, codebook, codes, yq, qq),
                SimdLevel.Vector128 when Vector128.IsHardwareAccelerated => Assign128(y, factor, codebook, codes, yq, qq),
                _ => 0,
            };
        }
        AssignScalar(y, factor, codebook, codes, yq, qq, done);
        return new Sums(FixedOrderSums.Combine(yq), FixedOrderSums.Combine(qq));
    }

    /// <summary>
    /// code(z) = #{k : t_k &lt; z}: start from the codebook's uniform-grid guess, then step until
    /// t[code − 1] &lt; z ≤ t[code]. The walk makes the result exact whatever the guess, so it equals the compare chain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CodeOf(float z, Codebook codebook)
    {
        ReadOnlySpan<float> thresholds = codebook.ThresholdsWithSentinel;
        ReadOnlySpan<byte> starts = codebook.BucketStarts;
        float position = Math.Clamp((z - codebook.BucketOrigin) * codebook.BucketScale, 0f, starts.Length - 1);
        int code = starts[(int)position];
        // A bucket holds at most one threshold, so one branch-free step is almost always the whole walk.
        bool above = thresholds[code] < z;
        code += Unsafe.As<bool, byte>(ref above);
        while (thresholds[code] < z)
        {
            code++;
        }
        while (code > 0 && !(thresholds[code - 1] < z))
        {
            code--;
        }
        return code;
    }

    private static void AssignScalar(ReadOnlySpan<float> y, float factor, Codebook codebook, Span<byte> codes,
        Span<double> yq, Span<double> qq, int start)
    {
        ReadOnlySpan<float> centroids = codebook.Centroids;
        for (int j = start; j < y.Length; j++)
        {
            int code = CodeOf(y[j] * factor, codebook);
            float q = centroids[code];
            codes[j] = (byte)code;
            yq[j & 7] += (double)y[j] * q;
            qq[j & 7] += (double)q * q;
        }
    }

    /// <summary>32 coordinates per step: two 16-lane compare chains, narrowed int32 → int16 → byte.</summary>
    private static int Assign512(ReadOnlySpan<float> y, float factor, Codebook codebook, Span<byte> codes,
        Span<double> yqLanes, Span<double> qqLanes)
    {
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref byte rc = ref MemoryMarshal.GetReference(codes);
        ReadOnlySpan<float> t = codebook.Thresholds;
        ReadOnlySpan<float> c = codebook.Centroids;
        var f = Vector512.Create(factor);
        var yq = Vector512<double>.Zero;
        var qq = Vector512<double>.Zero;
        int j = 0;
        for (; j + 32 <= y.Length; j += 32)
        {
            var y0 = Vector512.LoadUnsafe(ref ry, (nuint)j);
            var y1 = Vector512.LoadUnsafe(ref ry, (nuint)(j + 16));
            var z0 = y0 * f;
            var z1 = y1 * f;
            var code0 = Vector512<int>.Zero;
            var code1 = Vector512<int>.Zero;
            var q0 = Vector512.Create(c[0]);
            var q1 = q0;
            for (int k = 0; k < t.Length; k++)
            {
                var threshold = Vector512.Create(t[k]);
                var next = Vector512.Create(c[k + 1]);
                var m0 = Vector512.GreaterThan(z0, threshold);
                var m1 = Vector512.GreaterThan(z1, threshold);
                code0 -= m0.AsInt32();
                code1 -= m1.AsInt32();
                q0 = Vector512.ConditionalSelect(m0, next, q0);
                q1 = Vector512.ConditionalSelect(m1, next, q1);
            }
            var shorts = Vector512.Narrow(code0, code1);
            Vector256.Narrow(shorts.GetLower(), shorts.GetUpper()).AsByte().StoreUnsafe(ref rc, (nuint)j);
            Accumulate(y0, q0, ref yq, ref qq);
            Accumulate(y1, q1, ref yq, ref qq);
        }
        yq.CopyTo(yqLanes);
        qq.CopyTo(qqLanes);
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector512<float> y, Vector512<float> q, ref Vector512<double> yq, ref Vector512<double> qq)
    {
        var (yLo, yHi) = Vector512.Widen(y);
        var (qLo, qHi) = Vector512.Widen(q);
        yq += yLo * qLo;
        qq += qLo * qLo;
        yq += yHi * qHi;
        qq += qHi * qHi;
    }

    /// <summary>16 coordinates per step: two 8-lane compare chains.</summary>
    private static int Assign256(ReadOnlySpan<float> y, float factor, Codebook codebook, Span<byte> codes,
        Span<double> yqLanes, Span<double> qqLanes)
    {
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref byte rc = ref MemoryMarshal.GetReference(codes);
        ReadOnlySpan<float> t = codebook.Thresholds;
        ReadOnlySpan<float> c = codebook.Centroids;
        var f = Vector256.Create(factor);
        var yqLo = Vector256<double>.Zero; // lanes 0..3
        var yqHi = Vector256<double>.Zero; // lanes 4..7
        var qqLo = Vector256<double>.Zero;
        var qqHi = Vector256<double>.Zero;
        int j = 0;
        for (; j + 16 <= y.Length; j += 16)
        {
            var y0 = Vector256.LoadUnsafe(ref ry, (nuint)j);
            var y1 = Vector256.LoadUnsafe(ref ry, (nuint)(j + 8));
            var z0 = y0 * f;
            var z1 = y1 * f;
            var code0 = Vector256<int>.Zero;
            var code1 = Vector256<int>.Zero;
            var q0 = Vector256.Create(c[0]);
            var q1 = q0;
            for (int k = 0; k < t.Length; k++)
            {
                var threshold = Vector256.Create(t[k]);
                var next = Vector256.Create(c[k + 1]);
                var m0 = Vector256.GreaterThan(z0, threshold);
                var m1 = Vector256.GreaterThan(z1, threshold);
                code0 -= m0.AsInt32();
                code1 -= m1.AsInt32();
                q0 = Vector256.ConditionalSelect(m0, next, q0);
                q1 = Vector256.ConditionalSelect(m1, next, q1);
            }
            var shorts = Vector256.Narrow(code0, code1);
            Vector128.Narrow(shorts.GetLower(), shorts.GetUpper()).AsByte().StoreUnsafe(ref rc, (nuint)j);
            Accumulate(y0, q0, ref yqLo, ref yqHi, ref qqLo, ref qqHi);
            Accumulate(y1, q1, ref yqLo, ref yqHi, ref qqLo, ref qqHi);
        }
        yqLo.CopyTo(yqLanes);
        yqHi.CopyTo(yqLanes.Slice(4));
        qqLo.CopyTo(qqLanes);
        qqHi.CopyTo(qqLanes.Slice(4));
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector256<float> y, Vector256<float> q,
        ref Vector256<double> yqLo, ref Vector256<double> yqHi, ref Vector256<double> qqLo, ref Vector256<double> qqHi)
    {
        var (yLo, yHi) = Vector256.Widen(y);
        var (qLo, qHi) = Vector256.Widen(q);
        yqLo += yLo * qLo;
        yqHi += yHi * qHi;
        qqLo += qLo * qLo;
        qqHi += qHi * qHi;
    }

    /// <summary>8 coordinates per step: two 4-lane compare chains.</summary>
    private static int Assign128(ReadOnlySpan<float> y, float factor, Codebook codebook, Span<byte> codes,
        Span<double> yqLanes, Span<double> qqLanes)
    {
        ref float ry = ref MemoryMarshal.GetReference(y);
        ReadOnlySpan<float> t = codebook.Thresholds;
        ReadOnlySpan<float> c = codebook.Centroids;
        var f = Vector128.Create(factor);
        Span<Vector128<double>> yq = stackalloc Vector128<double>[4]; // lanes (0,1), (2,3), (4,5), (6,7)
        Span<Vector128<double>> qq = stackalloc Vector128<double>[4];
        yq.Clear();
        qq.Clear();
        int j = 0;
        for (; j + 8 <= y.Length; j += 8)
        {
            var y0 = Vector128.LoadUnsafe(ref ry, (nuint)j);
            var y1 = Vector128.LoadUnsafe(ref ry, (nuint)(j + 4));
            var z0 = y0 * f;
            var z1 = y1 * f;
            var code0 = Vector128<int>.Zero;
            var code1 = Vector128<int>.Zero;
            var q0 = Vector128.Create(c[0]);
            var q1 = q0;
            for (int k = 0; k < t.Length; k++)
            {
                var threshold = Vector128.Create(t[k]);
                var next = Vector128.Create(c[k + 1]);
                var m0 = Vector128.GreaterThan(z0, threshold);
                var m1 = Vector128.GreaterThan(z1, threshold);
                code0 -= m0.AsInt32();
                code1 -= m1.AsInt32();
                q0 = Vector128.ConditionalSelect(m0, next, q0);
                q1 = Vector128.ConditionalSelect(m1, next, q1);
            }
            var shorts = Vector128.Narrow(code0, code1);
            ulong eightCodes = Vector128.Narrow(shorts, shorts).AsUInt64().ToScalar();
            Unsafe.WriteUnaligned(ref codes[j], eightCodes);
            var (ya, yb) = Vector128.Widen(y0);
            var (yc, yd) = Vector128.Widen(y1);
            var (qa, qb) = Vector128.Widen(q0);
            var (qc, qd) = Vector128.Widen(q1);
            yq[0] += ya * qa;
            yq[1] += yb * qb;
            yq[2] += yc * qc;
            yq[3] += yd * qd;
            qq[0] += qa * qa;
            qq[1] += qb * qb;
            qq[2] += qc * qc;
            qq[3] += qd * qd;
        }
        MemoryMarshal.Cast<Vector128<double>, double>(yq).CopyTo(yqLanes);
        MemoryMarshal.Cast<Vector128<double>, double>(qq).CopyTo(qqLanes);
        return j;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VectorDb.Index.Common;

namespace VectorDb.Index.Rotation;

/// <summary>
/// The vector kernel, written once over <see cref="ISimdOps{TVec}"/> and specialized by the JIT per width.
/// Bit-identical to <see cref="ScalarHadamardKernel"/>: every output coordinate sees the same IEEE operations in the
/// same order (sign XOR, Paley column stage, butterflies with strides 1, 2, 4, … — only independent butterflies are
/// regrouped —, one multiply by the scale, sign XOR), with no FMA.
/// <para>
/// Walsh-Hadamard of n = V vectors: pass 1 loads 8 consecutive vectors (sign flip fused), runs the in-vector strides
/// 1 … Lanes/2 and the strides Lanes, 2·Lanes, 4·Lanes in registers, and stores; the remaining strides run in
/// register-resident radix-8/4/2 passes; the last pass applies the scale (and output signs) before its store. Rows
/// shorter than one vector fall back to the scalar kernel (same bits).
/// </para>
/// </summary>
[SkipLocalsInit]
internal readonly struct SimdHadamardKernel<TOps, TVec> : IHadamardKernel
    where TOps : struct, ISimdOps<TVec>
    where TVec : struct
{
    public static void BlockTransform(
        ReadOnlySpan<float> source, Span<float> destination, FastBlock block,
        ReadOnlySpan<uint> inputSigns, float scale, ReadOnlySpan<uint> outputSigns)
    {
        int n = block.Length;
        int m = block.RowLength;
        if (source.Length < n || destination.Length < n
            || (!inputSigns.IsEmpty && inputSigns.Length < n) || (!outputSigns.IsEmpty && outputSigns.Length < n))
        {
            throw new ArgumentException($"Spans must hold at least the block length {n}.");
        }
        if (m < TOps.Lanes)
        {
            ScalarHadamardKernel.BlockTransform(source, destination, block, inputSigns, scale, outputSigns);
            return;
        }
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        ref uint inSigns = ref MemoryMarshal.GetReference(inputSigns);
        ref uint outSigns = ref MemoryMarshal.GetReference(outputSigns);
        bool flipIn = !inputSigns.IsEmpty;
        bool flipOut = !outputSigns.IsEmpty;
        if (!block.IsKron12)
        {
            WalshHadamard(ref src, ref dst, n, ref inSigns, flipIn, scale, ref outSigns, flipOut);
            return;
        }
        Paley12Columns(ref src, ref dst, m, ref inSigns, flipIn);
        for (int row = 0; row < FastBlock.PaleyOrder; row++)
        {
            ref float rowStart = ref Unsafe.Add(ref dst, row * m);
            ref uint rowSigns = ref flipOut ? ref Unsafe.Add(ref outSigns, row * m) : ref outSigns;
            WalshHadamard(ref rowStart, ref rowStart, m, ref inSigns, false, scale, ref rowSigns, flipOut);
        }
    }

    /// <summary>Unnormalized Walsh-Hadamard of n floats (n a power of two, n ≥ Lanes) from src to dst (equal or
    /// disjoint), input signs fused into the first load, scale and output signs into the last store.</summary>
    private static void WalshHadamard(
        ref float src, ref float dst, int n, ref uint inSigns, bool flipIn, float scale, ref uint outSigns, bool flipOut)
    {
        nint lanes = TOps.Lanes;
        nint vectors = n / lanes;
        TVec scaleVector = TOps.Broadcast(scale);
        if (vectors < 8)
        {
            for (nint i = 0; i < n; i += vectors * lanes)
            {
                if (vectors == 1)
                {
                    TVec v = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i));
                    StoreOut(v, ref dst, ref outSigns, flipOut, true, scaleVector, i);
                }
                else if (vectors == 2)
                {
                    FirstPass2(ref src, ref dst, i, ref inSigns, flipIn, scaleVector, ref outSigns, flipOut);
                }
                else
                {
                    FirstPass4(ref src, ref dst, i, ref inSigns, flipIn, scaleVector, ref outSigns, flipOut);
                }
            }
            return;
        }
        bool last = vectors == 8;
        for (nint i = 0; i < n; i += 8 * lanes)
        {
            FirstPass8(ref src, ref dst, i, ref inSigns, flipIn, last, scaleVector, ref outSigns, flipOut);
        }
        int remainingStages = System.Numerics.BitOperations.Log2((uint)vectors) - 3;
        nint stride = 8 * lanes;
        while (remainingStages > 0)
        {
            int group = remainingStages >= 3 && remainingStages != 4 ? 3 : Math.Min(remainingStages, 2);
            remainingStages -= group;
            last = remainingStages == 0;
            switch (group)
            {
                case 3:
                    Radix8Pass(ref dst, n, stride, last, scaleVector, ref outSigns, flipOut);
                    break;
                case 2:
                    Radix4Pass(ref dst, n, stride, last, scaleVector, ref outSigns, flipOut);
                    break;
                default:
                    Radix2Pass(ref dst, n, stride, last, scaleVector, ref outSigns, flipOut);
                    break;
            }
            stride <<= group;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec LoadIn(ref float src, ref uint signs, bool flip, nint index)
    {
        TVec v = TOps.Load(ref src, index);
        return flip ? TOps.Xor(v, TOps.LoadSigns(ref signs, index)) : v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreOut(TVec v, ref float dst, ref uint signs, bool flip, bool last, TVec scale, nint index)
    {
        if (last)
        {
            v = TOps.Multiply(v, scale);
            if (flip)
            {
                v = TOps.Xor(v, TOps.LoadSigns(ref signs, index));
            }
        }
        TOps.Store(v, ref dst, index);
    }

    /// <summary>(a, b) → (a + b, a - b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly(ref TVec a, ref TVec b)
    {
        TVec sum = TOps.Add(a, b);
        b = TOps.Subtract(a, b);
        a = sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FirstPass2(
        ref float src, ref float dst, nint i, ref uint inSigns, bool flipIn, TVec scale, ref uint outSigns, bool flipOut)
    {
        nint w = TOps.Lanes;
        TVec v0 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i));
        TVec v1 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i + w));
        Butterfly(ref v0, ref v1);
        StoreOut(v0, ref dst, ref outSigns, flipOut, true, scale, i);
        StoreOut(v1, ref dst, ref outSigns, flipOut, true, scale, i + w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FirstPass4(
        ref float src, ref float dst, nint i, ref uint inSigns, bool flipIn, TVec scale, ref uint outSigns, bool flipOut)
    {
        nint w = TOps.Lanes;
        TVec v0 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i));
        TVec v1 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i + w));
        TVec v2 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i + 2 * w));
        TVec v3 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i + 3 * w));
        Butterfly(ref v0, ref v1);
        Butterfly(ref v2, ref v3);
        Butterfly(ref v0, ref v2);
        Butterfly(ref v1, ref v3);
        StoreOut(v0, ref dst, ref outSigns, flipOut, true, scale, i);
        StoreOut(v1, ref dst, ref outSigns, flipOut, true, scale, i + w);
        StoreOut(v2, ref dst, ref outSigns, flipOut, true, scale, i + 2 * w);
        StoreOut(v3, ref dst, ref outSigns, flipOut, true, scale, i + 3 * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FirstPass8(
        ref float src, ref float dst, nint i, ref uint inSigns, bool flipIn, bool last, TVec scale,
        ref uint outSigns, bool flipOut)
    {
        nint w = TOps.Lanes;
        TVec v0 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i));
        TVec v1 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i + w));
        TVec v2 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i + 2 * w));
        TVec v3 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i + 3 * w));
        TVec v4 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i + 4 * w));
        TVec v5 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i + 5 * w));
        TVec v6 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i + 6 * w));
        TVec v7 = TOps.HadamardWithinVector(LoadIn(ref src, ref inSigns, flipIn, i + 7 * w));
        Radix8(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
        StoreOut(v0, ref dst, ref outSigns, flipOut, last, scale, i);
        StoreOut(v1, ref dst, ref outSigns, flipOut, last, scale, i + w);
        StoreOut(v2, ref dst, ref outSigns, flipOut, last, scale, i + 2 * w);
        StoreOut(v3, ref dst, ref outSigns, flipOut, last, scale, i + 3 * w);
        StoreOut(v4, ref dst, ref outSigns, flipOut, last, scale, i + 4 * w);
        StoreOut(v5, ref dst, ref outSigns, flipOut, last, scale, i + 5 * w);
        StoreOut(v6, ref dst, ref outSigns, flipOut, last, scale, i + 6 * w);
        StoreOut(v7, ref dst, ref outSigns, flipOut, last, scale, i + 7 * w);
    }

    /// <summary>Three butterfly stages over eight vectors k = 0..7 spaced one stride apart: strides 1, 2, 4 (in
    /// units of that spacing), in that order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Radix8(ref TVec v0, ref TVec v1, ref TVec v2, ref TVec v3, ref TVec v4, ref TVec v5, ref TVec v6, ref TVec v7)
    {
        Butterfly(ref v0, ref v1);
        Butterfly(ref v2, ref v3);
        Butterfly(ref v4, ref v5);
        Butterfly(ref v6, ref v7);
        Butterfly(ref v0, ref v2);
        Butterfly(ref v1, ref v3);
        Butterfly(ref v4, ref v6);
        Butterfly(ref v5, ref v7);
        Butterfly(ref v0, ref v4);
        Butterfly(ref v1, ref v5);
        Butterfly(ref v2, ref v6);
        Butterfly(ref v3, ref v7);
    }

    private static void Radix8Pass(ref float x, int n, nint stride, bool last, TVec scale, ref uint outSigns, bool flipOut)
    {
        for (nint start = 0; start < n; start += 8 * stride)
        {
            for (nint i = start; i < start + stride; i += TOps.Lanes)
            {
                TVec v0 = TOps.Load(ref x, i);
                TVec v1 = TOps.Load(ref x, i + stride);
                TVec v2 = TOps.Load(ref x, i + 2 * stride);
                TVec v3 = TOps.Load(ref x, i + 3 * stride);
                TVec v4 = TOps.Load(ref x, i + 4 * stride);
                TVec v5 = TOps.Load(ref x, i + 5 * stride);
                TVec v6 = TOps.Load(ref x, i + 6 * stride);
                TVec v7 = TOps.Load(ref x, i + 7 * stride);
                Radix8(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
                StoreOut(v0, ref x, ref outSigns, flipOut, last, scale, i);
                StoreOut(v1, ref x, ref outSigns, flipOut, last, scale, i + stride);
                StoreOut(v2, ref x, ref outSigns, flipOut, last, scale, i + 2 * stride);
                StoreOut(v3, ref x, ref outSigns, flipOut, last, scale, i + 3 * stride);
                StoreOut(v4, ref x, ref outSigns, flipOut, last, scale, i + 4 * stride);
                StoreOut(v5, ref x, ref outSigns, flipOut, last, scale, i + 5 * stride);
                StoreOut(v6, ref x, ref outSigns, flipOut, last, scale, i + 6 * stride);
                StoreOut(v7, ref x, ref outSigns, flipOut, last, scale, i + 7 * stride);
            }
        }
    }

    private static void Radix4Pass(ref float x, int n, nint stride, bool last, TVec scale, ref uint outSigns, bool flipOut)
    {
        for (nint start = 0; start < n; start += 4 * stride)
        {
            for (nint i = start; i < start + stride; i += TOps.Lanes)
            {
                TVec v0 = TOps.Load(ref x, i);
                TVec v1 = TOps.Load(ref x, i + stride);
                TVec v2 = TOps.Load(ref x, i + 2 * stride);
                TVec v3 = TOps.Load(ref x, i + 3 * stride);
                Butterfly(ref v0, ref v1);
                Butterfly(ref v2, ref v3);
                Butterfly(ref v0, ref v2);
                Butterfly(ref v1, ref v3);
                StoreOut(v0, ref x, ref outSigns, flipOut, last, scale, i);
                StoreOut(v1, ref x, ref outSigns, flipOut, last, scale, i + stride);
                StoreOut(v2, ref x, ref outSigns, flipOut, last, scale, i + 2 * stride);
                StoreOut(v3, ref x, ref outSigns, flipOut, last, scale, i + 3 * stride);
            }
        }
    }

    private static void Radix2Pass(ref float x, int n, nint stride, bool last, TVec scale, ref uint outSigns, bool flipOut)
    {
        for (nint start = 0; start < n; start += 2 * stride)
        {
            for (nint i = start; i < start + stride; i += TOps.Lanes)
            {
                TVec v0 = TOps.Load(ref x, i);
                TVec v1 = TOps.Load(ref x, i + stride);
                Butterfly(ref v0, ref v1);
                StoreOut(v0, ref x, ref outSigns, flipOut, last, scale, i);
                StoreOut(v1, ref x, ref outSigns, flipOut, last, scale, i + stride);
            }
        }
    }

    /// <summary>The Paley-12 column stage (order documented on <see cref="Paley12"/>) over a 12 × m row-major block,
    /// Lanes columns at a time, with the input signs fused into the loads.</summary>
    private static void Paley12Columns(ref float src, ref float dst, int m, ref uint inSigns, bool flipIn)
    {
        for (nint c = 0; c < m; c += TOps.Lanes)
        {
            TVec u0 = LoadIn(ref src, ref inSigns, flipIn, c);
            TVec u1 = LoadIn(ref src, ref inSigns, flipIn, c + m);
            TVec u2 = LoadIn(ref src, ref inSigns, flipIn, c + 2 * m);
            TVec u3 = LoadIn(ref src, ref inSigns, flipIn, c + 3 * m);
            TVec u4 = LoadIn(ref src, ref inSigns, flipIn, c + 4 * m);
            TVec u5 = LoadIn(ref src, ref inSigns, flipIn, c + 5 * m);
            TVec w0 = LoadIn(ref src, ref inSigns, flipIn, c + 6 * m);
            TVec w1 = LoadIn(ref src, ref inSigns, flipIn, c + 7 * m);
            TVec w2 = LoadIn(ref src, ref inSigns, flipIn, c + 8 * m);
            TVec w3 = LoadIn(ref src, ref inSigns, flipIn, c + 9 * m);
            TVec w4 = LoadIn(ref src, ref inSigns, flipIn, c + 10 * m);
            TVec w5 = LoadIn(ref src, ref inSigns, flipIn, c + 11 * m);
            TVec p0 = TOps.Add(u0, w0), q0 = TOps.Subtract(u0, w0);
            TVec p1 = TOps.Add(u1, w1), q1 = TOps.Subtract(u1, w1);
            TVec p2 = TOps.Add(u2, w2), q2 = TOps.Subtract(u2, w2);
            TVec p3 = TOps.Add(u3, w3), q3 = TOps.Subtract(u3, w3);
            TVec p4 = TOps.Add(u4, w4), q4 = TOps.Subtract(u4, w4);
            TVec p5 = TOps.Add(u5, w5), q5 = TOps.Subtract(u5, w5);
            TOps.Store(TOps.Add(C0(p1, p2, p3, p4, p5), q0), ref dst, c);
            TOps.Store(TOps.Add(C1(p0, p2, p3, p4, p5), q1), ref dst, c + m);
            TOps.Store(TOps.Add(C2(p0, p1, p3, p4, p5), q2), ref dst, c + 2 * m);
            TOps.Store(TOps.Add(C3(p0, p1, p2, p4, p5), q3), ref dst, c + 3 * m);
            TOps.Store(TOps.Add(C4(p0, p1, p2, p3, p5), q4), ref dst, c + 4 * m);
            TOps.Store(TOps.Add(C5(p0, p1, p2, p3, p4), q5), ref dst, c + 5 * m);
            TOps.Store(TOps.Subtract(C0(q1, q2, q3, q4, q5), p0), ref dst, c + 6 * m);
            TOps.Store(TOps.Subtract(C1(q0, q2, q3, q4, q5), p1), ref dst, c + 7 * m);
            TOps.Store(TOps.Subtract(C2(q0, q1, q3, q4, q5), p2), ref dst, c + 8 * m);
            TOps.Store(TOps.Subtract(C3(q0, q1, q2, q4, q5), p3), ref dst, c + 9 * m);
            TOps.Store(TOps.Subtract(C4(q0, q1, q2, q3, q5), p4), ref dst, c + 10 * m);
            TOps.Store(TOps.Subtract(C5(q0, q1, q2, q3, q4), p5), ref dst, c + 11 * m);
        }
    }

    // Rows of the conference matrix (Paley12.Conference), each taking its five off-diagonal terms in increasing
    // column order and summing left to right.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec C0(TVec z1, TVec z2, TVec z3, TVec z4, TVec z5) =>
        TOps.Add(TOps.Add(TOps.Add(TOps.Add(z1, z2), z3), z4), z5);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec C1(TVec z0, TVec z2, TVec z3, TVec z4, TVec z5) =>
        TOps.Add(TOps.Subtract(TOps.Subtract(TOps.Add(z0, z2), z3), z4), z5);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec C2(TVec z0, TVec z1, TVec z3, TVec z4, TVec z5) =>
        TOps.Subtract(TOps.Subtract(TOps.Add(TOps.Add(z0, z1), z3), z4), z5);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec C3(TVec z0, TVec z1, TVec z2, TVec z4, TVec z5) =>
        TOps.Subtract(TOps.Add(TOps.Add(TOps.Subtract(z0, z1), z2), z4), z5);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec C4(TVec z0, TVec z1, TVec z2, TVec z3, TVec z5) =>
        TOps.Add(TOps.Add(TOps.Subtract(TOps.Subtract(z0, z1), z2), z3), z5);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec C5(TVec z0, TVec z1, TVec z2, TVec z3, TVec z4) =>
        TOps.Add(TOps.Subtract(TOps.Subtract(TOps.Add(z0, z1), z2), z3), z4);
}

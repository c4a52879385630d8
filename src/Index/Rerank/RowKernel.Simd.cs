using System.Runtime.CompilerServices;
using VectorDb.Index.Common;

namespace VectorDb.Index.Rerank;

/// <summary>
/// The SIMD row kernels, written once over a width-specific <typeparamref name="TOps"/> (<see cref="ISimdOps{TVec}"/>, an empty struct, so the JIT
/// specializes and inlines every call per width: <c>SimdRowKernel&lt;Vector512Ops, Vector512&lt;float&gt;&gt;</c>
/// compiles to the same loop as a hand-written Vector512 kernel). Four independent accumulators over 4 vectors of
/// floats per step (two for float16 rows, which widen 2 vectors' worth of halves per load), multiply-add fused where
/// the hardware has FMA, then one vector at a time, then a scalar loop for the last few coordinates. Callers
/// guarantee the width is hardware accelerated (see <see cref="ExactScorer"/>).
/// </summary>
internal readonly struct SimdRowKernel<TOps, TVec> : IRowKernel
    where TOps : struct, ISimdOps<TVec>
    where TVec : struct
{
    public static float Dot(ref float query, ref float row, int length)
    {
        int lanes = TOps.Lanes;
        int j = 0;
        float sum = 0;
        if (length >= lanes)
        {
            TVec acc0 = TOps.Zero, acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (; j <= length - 4 * lanes; j += 4 * lanes)
            {
                acc0 = TOps.MultiplyAdd(TOps.Load(ref query, j), TOps.Load(ref row, j), acc0);
                acc1 = TOps.MultiplyAdd(TOps.Load(ref query, j + lanes), TOps.Load(ref row, j + lanes), acc1);
                acc2 = TOps.MultiplyAdd(TOps.Load(ref query, j + 2 * lanes), TOps.Load(ref row, j + 2 * lanes), acc2);
                acc3 = TOps.MultiplyAdd(TOps.Load(ref query, j + 3 * lanes), TOps.Load(ref row, j + 3 * lanes), acc3);
            }
            for (; j <= length - lanes; j += lanes)
            {
                acc0 = TOps.MultiplyAdd(TOps.Load(ref query, j), TOps.Load(ref row, j), acc0);
            }
            sum = TOps.Sum(TOps.Add(TOps.Add(acc0, acc1), TOps.Add(acc2, acc3)));
        }
        for (; j < length; j++)
        {
            sum += Unsafe.Add(ref query, j) * Unsafe.Add(ref row, j);
        }
        return sum;
    }

    public static float Dot(ref float query, ref Half row, int length)
    {
        int lanes = TOps.Lanes;
        int j = 0;
        float sum = 0;
        if (length >= 2 * lanes)
        {
            TVec acc0 = TOps.Zero, acc1 = acc0;
            for (; j <= length - 2 * lanes; j += 2 * lanes)
            {
                TOps.LoadHalves(ref row, j, out TVec lower, out TVec upper);
                acc0 = TOps.MultiplyAdd(TOps.Load(ref query, j), lower, acc0);
                acc1 = TOps.MultiplyAdd(TOps.Load(ref query, j + lanes), upper, acc1);
            }
            sum = TOps.Sum(TOps.Add(acc0, acc1));
        }
        for (; j < length; j++)
        {
            sum += Unsafe.Add(ref query, j) * (float)Unsafe.Add(ref row, j);
        }
        return sum;
    }

    public static float SquaredDistance(ref float query, ref float row, int length)
    {
        int lanes = TOps.Lanes;
        int j = 0;
        float sum = 0;
        if (length >= lanes)
        {
            TVec acc0 = TOps.Zero, acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (; j <= length - 4 * lanes; j += 4 * lanes)
            {
                TVec d0 = TOps.Subtract(TOps.Load(ref query, j), TOps.Load(ref row, j));
                TVec d1 = TOps.Subtract(TOps.Load(ref query, j + lanes), TOps.Load(ref row, j + lanes));
                TVec d2 = TOps.Subtract(TOps.Load(ref query, j + 2 * lanes), TOps.Load(ref row, j + 2 * lanes));
                TVec d3 = TOps.Subtract(TOps.Load(ref query, j + 3 * lanes), TOps.Load(ref row, j + 3 * lanes));
                acc0 = TOps.MultiplyAdd(d0, d0, acc0);
                acc1 = TOps.MultiplyAdd(d1, d1, acc1);
                acc2 = TOps.MultiplyAdd(d2, d2, acc2);
                acc3 = TOps.MultiplyAdd(d3, d3, acc3);
            }
            for (; j <= length - lanes; j += lanes)
            {
                TVec d0 = TOps.Subtract(TOps.Load(ref query, j), TOps.Load(ref row, j));
                acc0 = TOps.MultiplyAdd(d0, d0, acc0);
            }
            sum = TOps.Sum(TOps.Add(TOps.Add(acc0, acc1), TOps.Add(acc2, acc3)));
        }
        for (; j < length; j++)
        {
            float difference = Unsafe.Add(ref query, j) - Unsafe.Add(ref row, j);
            sum += difference * difference;
        }
        return sum;
    }

    public static float SquaredDistance(ref float query, ref Half row, int length)
    {
        int lanes = TOps.Lanes;
        int j = 0;
        float sum = 0;
        if (length >= 2 * lanes)
        {
            TVec acc0 = TOps.Zero, acc1 = acc0;
            for (; j <= length - 2 * lanes; j += 2 * lanes)
            {
                TOps.LoadHalves(ref row, j, out TVec lower, out TVec upper);
                TVec d0 = TOps.Subtract(TOps.Load(ref query, j), lower);
                TVec d1 = TOps.Subtract(TOps.Load(ref query, j + lanes), upper);
                acc0 = TOps.MultiplyAdd(d0, d0, acc0);
                acc1 = TOps.MultiplyAdd(d1, d1, acc1);
            }
            sum = TOps.Sum(TOps.Add(acc0, acc1));
        }
        for (; j < length; j++)
        {
            float difference = Unsafe.Add(ref query, j) - (float)Unsafe.Add(ref row, j);
            sum += difference * difference;
        }
        return sum;
    }
}

using System.Runtime.CompilerServices;
using VectorDb.Index.Common;

namespace VectorDb.Index.Rerank;

/// <summary>
/// The SIMD row kernels, written once over a width-specific <typeparamref name="TOps"/> (<see cref="ISimdOps{TVec}"/>, an empty struct, so the JIT
/// specializes and inlines every call per width: <c>SimdRowKernel&lt;Vector512Ops, Vector512&lt;float&gt;&gt;</c>
/// compiles to the same loop as a hand-written Vector512 kernel). Four independent accumulators over 4 vectors of
/// floats per step (two for float16 rows, which widen 2 vectors' worth of halves per load), multiply-add fused where
/// the hardware has FMA, then one vector at a time, then a scalar loop for the last few coordinates. Callers
/// guarantee the width is hardware accelerated (see <see cref="ExactScorer"/>). The inner product and the squared
/// distance share these loops and differ only in the term each coordinate adds (<see cref="IRowTerm"/>, an empty
/// struct too: specialised and inlined, no dispatch).
/// </summary>
internal readonly struct SimdRowKernel<TOps, TVec> : IRowKernel
    where TOps : struct, ISimdOps<TVec>
    where TVec : struct
{
    public static float Dot(ref float query, ref float row, int length) => Sum<ProductTerm>(ref query, ref row, length);

    public static float Dot(ref float query, ref Half row, int length) => Sum<ProductTerm>(ref query, ref row, length);

    public static float SquaredDistance(ref float query, ref float row, int length) =>
        Sum<SquaredDifferenceTerm>(ref query, ref row, length);

    public static float SquaredDistance(ref float query, ref Half row, int length) =>
        Sum<SquaredDifferenceTerm>(ref query, ref row, length);

    /// <summary>Σ_j term(q_j, x_j) over a float32 row: four accumulators, then one vector at a time, then scalars.</summary>
    private static float Sum<TTerm>(ref float query, ref float row, int length)
        where TTerm : struct, IRowTerm
    {
        int lanes = TOps.Lanes;
        int j = 0;
        float sum = 0;
        if (length >= lanes)
        {
            TVec acc0 = TOps.Zero, acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (; j <= length - 4 * lanes; j += 4 * lanes)
            {
                acc0 = TTerm.Add<TOps, TVec>(TOps.Load(ref query, j), TOps.Load(ref row, j), acc0);
                acc1 = TTerm.Add<TOps, TVec>(TOps.Load(ref query, j + lanes), TOps.Load(ref row, j + lanes), acc1);
                acc2 = TTerm.Add<TOps, TVec>(TOps.Load(ref query, j + 2 * lanes), TOps.Load(ref row, j + 2 * lanes), acc2);
                acc3 = TTerm.Add<TOps, TVec>(TOps.Load(ref query, j + 3 * lanes), TOps.Load(ref row, j + 3 * lanes), acc3);
            }
            for (; j <= length - lanes; j += lanes)
            {
                acc0 = TTerm.Add<TOps, TVec>(TOps.Load(ref query, j), TOps.Load(ref row, j), acc0);
            }
            sum = TOps.Sum(TOps.Add(TOps.Add(acc0, acc1), TOps.Add(acc2, acc3)));
        }
        for (; j < length; j++)
        {
            sum = TTerm.Add(Unsafe.Add(ref query, j), Unsafe.Add(ref row, j), sum);
        }
        return sum;
    }

    /// <summary>Σ_j term(q_j, x_j) over a float16 row: two accumulators (one load widens two vectors of halves), then
    /// scalars.</summary>
    private static float Sum<TTerm>(ref float query, ref Half row, int length)
        where TTerm : struct, IRowTerm
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
                acc0 = TTerm.Add<TOps, TVec>(TOps.Load(ref query, j), lower, acc0);
                acc1 = TTerm.Add<TOps, TVec>(TOps.Load(ref query, j + lanes), upper, acc1);
            }
            sum = TOps.Sum(TOps.Add(acc0, acc1));
        }
        for (; j < length; j++)
        {
            sum = TTerm.Add(Unsafe.Add(ref query, j), (float)Unsafe.Add(ref row, j), sum);
        }
        return sum;
    }
}

/// <summary>What one coordinate adds to a row kernel's sum, per vector of lanes and per scalar (the tail).</summary>
internal interface IRowTerm
{
    /// <summary>sum + term(query, row), lane by lane.</summary>
    static abstract TVec Add<TOps, TVec>(TVec query, TVec row, TVec sum)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct;

    /// <summary>sum + term(query, row) in float32, unfused.</summary>
    static abstract float Add(float query, float row, float sum);
}

/// <summary>The inner product's term q·x (fused multiply-add where the hardware has FMA).</summary>
internal readonly struct ProductTerm : IRowTerm
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Add<TOps, TVec>(TVec query, TVec row, TVec sum)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct => TOps.MultiplyAdd(query, row, sum);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float query, float row, float sum) => sum + query * row;
}

/// <summary>The squared distance's term (q − x)².</summary>
internal readonly struct SquaredDifferenceTerm : IRowTerm
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Add<TOps, TVec>(TVec query, TVec row, TVec sum)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec difference = TOps.Subtract(query, row);
        return TOps.MultiplyAdd(difference, difference, sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float query, float row, float sum)
    {
        float difference = query - row;
        return sum + difference * difference;
    }
}

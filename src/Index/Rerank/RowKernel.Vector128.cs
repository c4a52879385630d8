using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace VectorDb.Index.Rerank;

/// <summary>
/// Vector128 row kernels: four independent accumulators over 4×4 floats (two over 2×4 for float16 rows, which
/// widen 8 halves per load), multiply-add fused where the hardware has FMA, a scalar loop for the last few
/// coordinates. Callers guarantee Vector128 is hardware accelerated (see <see cref="ExactScorer"/>).
/// </summary>
internal readonly struct Vector128RowKernel : IRowKernel
{
    private const int Lanes = 4;

    public static float Dot(ref float query, ref float row, int length)
    {
        int j = 0;
        float sum = 0;
        if (length >= Lanes)
        {
            Vector128<float> acc0 = Vector128<float>.Zero, acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (; j <= length - 4 * Lanes; j += 4 * Lanes)
            {
                acc0 = Vector128.MultiplyAddEstimate(Load(ref query, j), Load(ref row, j), acc0);
                acc1 = Vector128.MultiplyAddEstimate(Load(ref query, j + Lanes), Load(ref row, j + Lanes), acc1);
                acc2 = Vector128.MultiplyAddEstimate(Load(ref query, j + 2 * Lanes), Load(ref row, j + 2 * Lanes), acc2);
                acc3 = Vector128.MultiplyAddEstimate(Load(ref query, j + 3 * Lanes), Load(ref row, j + 3 * Lanes), acc3);
            }
            for (; j <= length - Lanes; j += Lanes)
            {
                acc0 = Vector128.MultiplyAddEstimate(Load(ref query, j), Load(ref row, j), acc0);
            }
            sum = Vector128.Sum((acc0 + acc1) + (acc2 + acc3));
        }
        for (; j < length; j++)
        {
            sum += Unsafe.Add(ref query, j) * Unsafe.Add(ref row, j);
        }
        return sum;
    }

    public static float Dot(ref float query, ref Half row, int length)
    {
        int j = 0;
        float sum = 0;
        if (length >= 2 * Lanes)
        {
            ref ushort bits = ref Unsafe.As<Half, ushort>(ref row);
            Vector128<float> acc0 = Vector128<float>.Zero, acc1 = acc0;
            for (; j <= length - 2 * Lanes; j += 2 * Lanes)
            {
                (Vector128<uint> lower, Vector128<uint> upper) = Vector128.Widen(Vector128.LoadUnsafe(ref bits, (nuint)j));
                acc0 = Vector128.MultiplyAddEstimate(Load(ref query, j), HalfWidening.ToSingle(lower), acc0);
                acc1 = Vector128.MultiplyAddEstimate(Load(ref query, j + Lanes), HalfWidening.ToSingle(upper), acc1);
            }
            sum = Vector128.Sum(acc0 + acc1);
        }
        for (; j < length; j++)
        {
            sum += Unsafe.Add(ref query, j) * (float)Unsafe.Add(ref row, j);
        }
        return sum;
    }

    public static float SquaredDistance(ref float query, ref float row, int length)
    {
        int j = 0;
        float sum = 0;
        if (length >= Lanes)
        {
            Vector128<float> acc0 = Vector128<float>.Zero, acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (; j <= length - 4 * Lanes; j += 4 * Lanes)
            {
                Vector128<float> d0 = Load(ref query, j) - Load(ref row, j);
                Vector128<float> d1 = Load(ref query, j + Lanes) - Load(ref row, j + Lanes);
                Vector128<float> d2 = Load(ref query, j + 2 * Lanes) - Load(ref row, j + 2 * Lanes);
                Vector128<float> d3 = Load(ref query, j + 3 * Lanes) - Load(ref row, j + 3 * Lanes);
                acc0 = Vector128.MultiplyAddEstimate(d0, d0, acc0);
                acc1 = Vector128.MultiplyAddEstimate(d1, d1, acc1);
                acc2 = Vector128.MultiplyAddEstimate(d2, d2, acc2);
                acc3 = Vector128.MultiplyAddEstimate(d3, d3, acc3);
            }
            for (; j <= length - Lanes; j += Lanes)
            {
                Vector128<float> d0 = Load(ref query, j) - Load(ref row, j);
                acc0 = Vector128.MultiplyAddEstimate(d0, d0, acc0);
            }
            sum = Vector128.Sum((acc0 + acc1) + (acc2 + acc3));
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
        int j = 0;
        float sum = 0;
        if (length >= 2 * Lanes)
        {
            ref ushort bits = ref Unsafe.As<Half, ushort>(ref row);
            Vector128<float> acc0 = Vector128<float>.Zero, acc1 = acc0;
            for (; j <= length - 2 * Lanes; j += 2 * Lanes)
            {
                (Vector128<uint> lower, Vector128<uint> upper) = Vector128.Widen(Vector128.LoadUnsafe(ref bits, (nuint)j));
                Vector128<float> d0 = Load(ref query, j) - HalfWidening.ToSingle(lower);
                Vector128<float> d1 = Load(ref query, j + Lanes) - HalfWidening.ToSingle(upper);
                acc0 = Vector128.MultiplyAddEstimate(d0, d0, acc0);
                acc1 = Vector128.MultiplyAddEstimate(d1, d1, acc1);
            }
            sum = Vector128.Sum(acc0 + acc1);
        }
        for (; j < length; j++)
        {
            float difference = Unsafe.Add(ref query, j) - (float)Unsafe.Add(ref row, j);
            sum += difference * difference;
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Load(ref float source, int offset) => Vector128.LoadUnsafe(ref source, (nuint)offset);
}

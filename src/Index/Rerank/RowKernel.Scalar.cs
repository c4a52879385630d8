using System.Runtime.CompilerServices;

namespace VectorDb.Index.Rerank;

/// <summary>
/// The scalar oracle: one float32 accumulator, coordinates in order, no fused multiply-add. The SIMD kernels sum in
/// a different order and may fuse, so they agree with this one to within rounding (see docs/gpu.md for the bound),
/// not bit for bit.
/// </summary>
internal readonly struct ScalarRowKernel : IRowKernel
{
    public static float Dot(ref float query, ref float row, int length)
    {
        float sum = 0;
        for (int j = 0; j < length; j++)
        {
            sum += Unsafe.Add(ref query, j) * Unsafe.Add(ref row, j);
        }
        return sum;
    }

    public static float Dot(ref float query, ref Half row, int length)
    {
        float sum = 0;
        for (int j = 0; j < length; j++)
        {
            sum += Unsafe.Add(ref query, j) * (float)Unsafe.Add(ref row, j);
        }
        return sum;
    }

    public static float SquaredDistance(ref float query, ref float row, int length)
    {
        float sum = 0;
        for (int j = 0; j < length; j++)
        {
            float difference = Unsafe.Add(ref query, j) - Unsafe.Add(ref row, j);
            sum += difference * difference;
        }
        return sum;
    }

    public static float SquaredDistance(ref float query, ref Half row, int length)
    {
        float sum = 0;
        for (int j = 0; j < length; j++)
        {
            float difference = Unsafe.Add(ref query, j) - (float)Unsafe.Add(ref row, j);
            sum += difference * difference;
        }
        return sum;
    }
}

using VectorDb.Index.Common;

namespace VectorDb.Index.Tests.Reference;

/// <summary>Seeded test vectors (SplitMix64 only, never System.Random).</summary>
internal static class RandomVectors
{
    /// <summary>i.i.d. N(0,1) coordinates.</summary>
    public static float[] Gaussian(int dimension, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var v = new float[dimension];
        for (int j = 0; j < dimension; j++)
        {
            v[j] = (float)rng.NextGaussian();
        }
        return v;
    }

    /// <summary>Uniform on the unit sphere (a normalized Gaussian), i.e. a Haar-random direction: after any fixed
    /// orthogonal rotation its coordinates follow the exact law of algorithms.md §2.</summary>
    public static float[] UnitSphere(int dimension, ulong seed)
    {
        var v = Gaussian(dimension, seed);
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        for (int j = 0; j < dimension; j++)
        {
            v[j] = (float)(v[j] / norm);
        }
        return v;
    }

    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
        {
            sum += (double)a[j] * b[j];
        }
        return sum;
    }

    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
        {
            double diff = (double)a[j] - b[j];
            sum += diff * diff;
        }
        return sum;
    }
}

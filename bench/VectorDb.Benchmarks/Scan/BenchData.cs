using VectorDb.Index.Common;

namespace VectorDb.Benchmarks.Scan;

/// <summary>Seeded random codes, factors and queries shared by the scan benchmarks.</summary>
internal static class BenchData
{
    public const int Count = 200_000;

    /// <summary>Calls <paramref name="add"/> with <see cref="Count"/> random code rows (one reused buffer).</summary>
    public static void AddRandomRows(int dimension, int bits, Action<byte[]> add)
    {
        var rng = new SplitMix64(42);
        var codes = new byte[dimension];
        for (int i = 0; i < Count; i++)
        {
            for (int j = 0; j < dimension; j++)
            {
                codes[j] = (byte)rng.NextInt(1 << bits);
            }
            add(codes);
        }
    }

    public static float[] Scales()
    {
        var rng = new SplitMix64(43);
        var scales = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            scales[i] = (float)(0.9 + 0.2 * rng.NextDouble());
        }
        return scales;
    }

    public static float[] Query(int dimension)
    {
        var rng = new SplitMix64(44);
        var query = new float[dimension];
        for (int j = 0; j < dimension; j++)
        {
            query[j] = (float)rng.NextGaussian();
        }
        return query;
    }

    /// <summary>An evenly spaced symmetric codebook scaled for unit vectors (speed does not depend on its shape).</summary>
    public static float[] Codebook(int bits, int dimension)
    {
        var centroids = new float[1 << bits];
        for (int k = 0; k < centroids.Length; k++)
        {
            centroids[k] = (k - (centroids.Length - 1) / 2f) / MathF.Sqrt(dimension);
        }
        return centroids;
    }
}

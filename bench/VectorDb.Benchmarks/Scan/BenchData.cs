using VectorDb.Index.Common;
using VectorDb.Index.Scan;

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

    /// <summary>A fast-scan store of <see cref="Count"/> random rows, its tables built for <see cref="Query"/> with
    /// <see cref="Codebook"/>, a scorer at <paramref name="level"/>, and the rows' factors (<see cref="Scales"/>).</summary>
    public static FastScanFixture FastScan(int dimension, int bits, SimdLevel level)
    {
        var store = new FastScanCodes(dimension, bits, Count);
        AddRandomRows(dimension, bits, row => store.Add(row));
        float[] query = Query(dimension), centroids = Codebook(bits, dimension);
        var lut = new FastScanLut(store);
        lut.Build(query, centroids);
        return new FastScanFixture(store, lut, new FastScanScorer(store, lut, level), Scales(), query, centroids);
    }
}

/// <summary>What <see cref="BenchData.FastScan"/> builds.</summary>
internal sealed record FastScanFixture(FastScanCodes Store, FastScanLut Lut, FastScanScorer Scorer, float[] Scales,
    float[] Query, float[] Centroids);

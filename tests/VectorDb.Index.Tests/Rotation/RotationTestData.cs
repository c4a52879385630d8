using VectorDb.Index.Common;

namespace VectorDb.Index.Tests.Rotation;

/// <summary>Dimensions and inputs shared by the rotation tests.</summary>
internal static class RotationTestData
{
    /// <summary>Every d the brief names: 1..70 (all small pow2 / 12·2^k / overlap cases and the edges of every vector
    /// width), odd sizes around 128 and 256, the 12·2^k model sizes, MNIST 784, 1000 and 1024.</summary>
    public static int[] Dimensions { get; } =
        [.. Enumerable.Range(1, 70), 100, 127, 128, 129, 255, 256, 257, 384, 768, 784, 1000, 1024, 1536, 3072];

    public static ulong[] Seeds { get; } = [0UL, 42UL, 0xDEADBEEF_CAFEF00DUL];

    public static TheoryData<int> DimensionData()
    {
        var data = new TheoryData<int>();
        foreach (int d in Dimensions)
        {
            data.Add(d);
        }
        return data;
    }

    /// <summary>Standard normal coordinates from SplitMix64(seed).</summary>
    public static float[] Gaussian(int dimension, ulong seed)
    {
        var generator = new SplitMix64(seed);
        float[] x = new float[dimension];
        for (int i = 0; i < dimension; i++)
        {
            x[i] = (float)generator.NextGaussian();
        }
        return x;
    }

    public static float[] OneHot(int dimension, int index)
    {
        float[] x = new float[dimension];
        x[index] = 1f;
        return x;
    }

    public static float[] AllOnes(int dimension) => Enumerable.Repeat(1f, dimension).ToArray();

    public static double Norm(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x)
        {
            sum += (double)v * v;
        }
        return Math.Sqrt(sum);
    }

    public static double RelativeDistance(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double scale)
    {
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double diff = actual[i] - expected[i];
            sum += diff * diff;
        }
        return Math.Sqrt(sum) / scale;
    }
}

using VectorDb.Index.Common;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb.Index.Tests.Reference;

/// <summary>
/// Slow, obviously correct references for the scan code: exact float64 estimator sums, integer table sums computed
/// straight from the unpacked codes (never from the blocked layout), and top-k by full sort.
/// </summary>
internal static class ScanOracle
{
    /// <summary>Dimensions the scan tests cover: 1, odd, around one block/group width, GloVe, MNIST, OpenAI, max.</summary>
    public static readonly int[] Dimensions = [1, 3, 31, 32, 33, 100, 784, 1536, 4096];

    /// <summary>Store sizes the scan tests cover: empty, single, around one block, many blocks.</summary>
    public static readonly int[] Counts = [0, 1, 31, 32, 33, 1000];

    public static byte[][] RandomCodes(ref SplitMix64 rng, int count, int dimension, int bits)
    {
        var codes = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            codes[i] = new byte[dimension];
            for (int j = 0; j < dimension; j++)
            {
                codes[i][j] = (byte)rng.NextInt(1 << bits);
            }
        }
        return codes;
    }

    public static float[] Gaussian(ref SplitMix64 rng, int length, double sigma = 1.0)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(rng.NextGaussian() * sigma);
        }
        return values;
    }

    /// <summary>An increasing codebook of 2^b random centroids (scaled like a unit-vector codebook, ~1/√d).</summary>
    public static float[] Codebook(ref SplitMix64 rng, int bits, int dimension)
    {
        var centroids = Gaussian(ref rng, 1 << bits, 1.0 / Math.Sqrt(dimension));
        Array.Sort(centroids);
        return centroids;
    }

    /// <summary>Σ_j w_j·c[code_j] in float64.</summary>
    public static double ExactDot(ReadOnlySpan<float> weights, ReadOnlySpan<float> centroids, ReadOnlySpan<byte> codes)
    {
        double sum = 0;
        for (int j = 0; j < codes.Length; j++)
        {
            sum += (double)weights[j] * centroids[codes[j]];
        }
        return sum;
    }

    /// <summary>Σ_j |w_j|·max|c|: the magnitude that float32 rounding errors scale with.</summary>
    public static double Magnitude(ReadOnlySpan<float> weights, ReadOnlySpan<float> centroids)
    {
        double maxCentroid = 0;
        foreach (float c in centroids)
        {
            maxCentroid = Math.Max(maxCentroid, Math.Abs(c));
        }
        double sum = 0;
        foreach (float w in weights)
        {
            sum += Math.Abs(w);
        }
        return sum * maxCentroid;
    }

    /// <summary>
    /// Σ_g tables[g·16 + nibble_g] where nibble_g packs coordinates g·m .. g·m+m−1 (m = 4/b) LSB-first from the plain
    /// code array: the integer every fast-scan kernel must return.
    /// </summary>
    public static uint FastScanSum(ReadOnlySpan<byte> tables, ReadOnlySpan<byte> codes, int bits)
    {
        int perGroup = 4 / bits;
        int groups = (codes.Length + perGroup - 1) / perGroup;
        uint sum = 0;
        for (int g = 0; g < groups; g++)
        {
            int nibble = 0;
            for (int i = 0; i < perGroup && g * perGroup + i < codes.Length; i++)
            {
                nibble |= codes[g * perGroup + i] << (i * bits);
            }
            sum += tables[g * 16 + nibble];
        }
        return sum;
    }

    /// <summary>The k best (score, row) by full sort: score descending, then row ascending; NaN and excluded rows dropped.</summary>
    public static ScoredSlot[] TopBySort(IReadOnlyList<float> scores, int k, Func<int, bool>? excluded = null)
    {
        return Enumerable.Range(0, scores.Count)
            .Where(i => !float.IsNaN(scores[i]) && (excluded is null || !excluded(i)))
            .Select(i => new ScoredSlot(i, scores[i]))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Slot)
            .Take(k)
            .ToArray();
    }

    public static IEnumerable<object[]> Levels() => SimdCapabilities.Available.Select(level => new object[] { level });
}

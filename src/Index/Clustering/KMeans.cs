using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VectorDb.Index.Common;

namespace VectorDb.Index.Clustering;

/// <summary>
/// Seeded Lloyd k-means for IVF partitioning. Deterministic: the same data, seed and options give the same centroids
/// on every machine and thread count (points are processed in a fixed order; parallel work writes disjoint slots and
/// reductions are done serially in index order).
/// </summary>
/// <remarks>
/// Initialisation is k-means++ (D² sampling with <see cref="SplitMix64"/>): it costs n·k·d, the same as one Lloyd
/// iteration, and avoids the two-seeds-in-one-cluster minima that random initialisation falls into.
/// Empty clusters are re-seeded by splitting the largest cluster (FAISS's rule), so every list ends non-empty when
/// n >= k.
/// </remarks>
public static class KMeans
{
    /// <summary>Trains <paramref name="k"/> centroids on the rows of <paramref name="data"/> (row-major, dimension
    /// <paramref name="dimension"/>). Returns k·dimension floats, row-major.</summary>
    public static float[] Train(ReadOnlySpan<float> data, int dimension, int k, ulong seed, int iterations = 12)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        if (data.Length % dimension != 0)
        {
            throw new ArgumentException($"data length {data.Length} is not a multiple of the dimension {dimension}.", nameof(data));
        }
        int n = data.Length / dimension;
        if (n < k)
        {
            throw new ArgumentException($"k-means needs at least k = {k} training points, got {n}.", nameof(data));
        }

        float[] points = data.ToArray();
        var centroids = new float[k * dimension];
        var rng = new SplitMix64(seed);
        SeedPlusPlus(points, dimension, centroids, k, ref rng);

        var assignment = new int[n];
        var sums = new double[k * dimension];
        var counts = new int[k];
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            AssignAll(points, dimension, centroids, assignment);
            Array.Clear(sums);
            Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                int c = assignment[i];
                counts[c]++;
                var row = points.AsSpan(i * dimension, dimension);
                var sum = sums.AsSpan(c * dimension, dimension);
                for (int j = 0; j < dimension; j++)
                {
                    sum[j] += row[j];
                }
            }
            for (int c = 0; c < k; c++)
            {
                if (counts[c] == 0)
                {
                    continue;
                }
                for (int j = 0; j < dimension; j++)
                {
                    centroids[c * dimension + j] = (float)(sums[c * dimension + j] / counts[c]);
                }
            }
            SplitEmptyClusters(centroids, dimension, counts, ref rng);
        }
        return centroids;
    }

    /// <summary>Index of the centroid nearest (squared L2) to <paramref name="point"/>; ties go to the smaller index.</summary>
    public static int Nearest(ReadOnlySpan<float> point, ReadOnlySpan<float> centroids, int dimension)
    {
        int k = centroids.Length / dimension;
        int best = 0;
        float bestDistance = float.PositiveInfinity;
        for (int c = 0; c < k; c++)
        {
            float distance = SquaredDistance(point, centroids.Slice(c * dimension, dimension));
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = c;
            }
        }
        return best;
    }

    /// <summary>Nearest centroid of every row, computed in parallel into disjoint slots (deterministic).</summary>
    public static void AssignAll(float[] points, int dimension, float[] centroids, int[] assignment)
    {
        int n = points.Length / dimension;
        Parallel.For(0, (n + 255) / 256, chunk =>
        {
            int end = Math.Min(n, (chunk + 1) * 256);
            for (int i = chunk * 256; i < end; i++)
            {
                assignment[i] = Nearest(points.AsSpan(i * dimension, dimension), centroids, dimension);
            }
        });
    }

    /// <summary>Squared Euclidean distance, summed in float with a fixed order per width (no FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        int i = 0;
        float total = 0f;
        if (System.Numerics.Vector.IsHardwareAccelerated && a.Length >= System.Numerics.Vector<float>.Count)
        {
            var acc = System.Numerics.Vector<float>.Zero;
            int width = System.Numerics.Vector<float>.Count;
            for (; i <= a.Length - width; i += width)
            {
                var diff = System.Numerics.Vector.LoadUnsafe(ref ra, (nuint)i) - System.Numerics.Vector.LoadUnsafe(ref rb, (nuint)i);
                acc += diff * diff;
            }
            total = System.Numerics.Vector.Sum(acc);
        }
        for (; i < a.Length; i++)
        {
            float diff = Unsafe.Add(ref ra, i) - Unsafe.Add(ref rb, i);
            total += diff * diff;
        }
        return total;
    }

    /// <summary>k-means++: first centre uniform, each next one drawn with probability proportional to the squared
    /// distance to the nearest centre chosen so far (accumulated in double, scanned in index order).</summary>
    private static void SeedPlusPlus(float[] points, int dimension, float[] centroids, int k, ref SplitMix64 rng)
    {
        int n = points.Length / dimension;
        var nearest = new double[n];
        int chosen = rng.NextInt(n);
        points.AsSpan(chosen * dimension, dimension).CopyTo(centroids.AsSpan(0, dimension));
        Array.Fill(nearest, double.PositiveInfinity);
        for (int c = 1; c < k; c++)
        {
            int previous = (c - 1) * dimension;
            // Each point's update is independent (disjoint slots), so the parallel loop stays deterministic.
            Parallel.For(0, (n + 1023) / 1024, chunk =>
            {
                var centre = centroids.AsSpan(previous, dimension);
                int end = Math.Min(n, (chunk + 1) * 1024);
                for (int i = chunk * 1024; i < end; i++)
                {
                    double distance = SquaredDistance(points.AsSpan(i * dimension, dimension), centre);
                    if (distance < nearest[i])
                    {
                        nearest[i] = distance;
                    }
                }
            });
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                total += nearest[i];
            }
            double target = rng.NextDouble() * total;
            chosen = n - 1;
            for (int i = 0; i < n; i++)
            {
                target -= nearest[i];
                if (target < 0)
                {
                    chosen = i;
                    break;
                }
            }
            points.AsSpan(chosen * dimension, dimension).CopyTo(centroids.AsSpan(c * dimension, dimension));
        }
    }

    private static void SplitEmptyClusters(float[] centroids, int dimension, int[] counts, ref SplitMix64 rng)
    {
        for (int empty = 0; empty < counts.Length; empty++)
        {
            if (counts[empty] != 0)
            {
                continue;
            }
            int largest = 0;
            for (int c = 1; c < counts.Length; c++)
            {
                if (counts[c] > counts[largest])
                {
                    largest = c;
                }
            }
            // Copy the largest centroid and push the two copies apart by a tiny symmetric relative perturbation.
            for (int j = 0; j < dimension; j++)
            {
                float value = centroids[largest * dimension + j];
                float nudge = (float)((rng.NextDouble() - 0.5) * 1e-4) * (Math.Abs(value) + 1e-6f);
                centroids[empty * dimension + j] = value + nudge;
                centroids[largest * dimension + j] = value - nudge;
            }
            counts[empty] = counts[largest] / 2;
            counts[largest] -= counts[empty];
        }
    }
}

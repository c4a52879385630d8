using VectorDb.Index.Clustering;
using VectorDb.Index.Common;

namespace VectorDb.Index.Tests.Clustering;

public class KMeansTests
{
    /// <summary>Well-separated blobs: every blob centre must be recovered to within a small fraction of the spread.</summary>
    [Fact]
    public void Train_RecoversSeparatedBlobCentres()
    {
        const int dimension = 16, blobs = 8, perBlob = 200;
        var rng = new SplitMix64(7);
        var centres = new float[blobs * dimension];
        for (int i = 0; i < centres.Length; i++)
        {
            centres[i] = (float)(rng.NextGaussian() * 10);
        }
        var data = new float[blobs * perBlob * dimension];
        for (int b = 0; b < blobs; b++)
        {
            for (int p = 0; p < perBlob; p++)
            {
                for (int j = 0; j < dimension; j++)
                {
                    data[((b * perBlob) + p) * dimension + j] = centres[b * dimension + j] + (float)(rng.NextGaussian() * 0.1);
                }
            }
        }

        // Random initialisation can put two seeds in one blob; enough iterations with empty-cluster splitting
        // still separate blobs this far apart (distance ~ 10·sqrt(2·16) vs spread 0.1·4).
        float[] trained = KMeans.Train(data, dimension, blobs, seed: 11, iterations: 25);

        for (int b = 0; b < blobs; b++)
        {
            var centre = centres.AsSpan(b * dimension, dimension);
            int nearest = KMeans.Nearest(centre, trained, dimension);
            float distance = MathF.Sqrt(KMeans.SquaredDistance(centre, trained.AsSpan(nearest * dimension, dimension)));
            // The mean of 200 points with per-coordinate sd 0.1 lies within ~0.1·sqrt(16/200) ≈ 0.03 of the centre.
            Assert.True(distance < 0.2f, $"blob {b}: nearest trained centroid is {distance} away");
        }
    }

    [Fact]
    public void Train_SameSeedSameCentroids_DifferentSeedDifferent()
    {
        var rng = new SplitMix64(3);
        var data = new float[500 * 8];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)rng.NextGaussian();
        }
        float[] first = KMeans.Train(data, 8, 10, seed: 5);
        float[] second = KMeans.Train(data, 8, 10, seed: 5);
        float[] other = KMeans.Train(data, 8, 10, seed: 6);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Nearest_MatchesBruteForceInDouble()
    {
        var rng = new SplitMix64(9);
        const int dimension = 37, k = 50;
        var centroids = new float[k * dimension];
        for (int i = 0; i < centroids.Length; i++)
        {
            centroids[i] = (float)rng.NextGaussian();
        }
        for (int trial = 0; trial < 200; trial++)
        {
            var point = new float[dimension];
            for (int j = 0; j < dimension; j++)
            {
                point[j] = (float)rng.NextGaussian();
            }
            int best = 0;
            double bestDistance = double.MaxValue;
            for (int c = 0; c < k; c++)
            {
                double distance = 0;
                for (int j = 0; j < dimension; j++)
                {
                    double diff = (double)point[j] - centroids[c * dimension + j];
                    distance += diff * diff;
                }
                if (distance < bestDistance)
                {
                    bestDistance = distance;
                    best = c;
                }
            }
            Assert.Equal(best, KMeans.Nearest(point, centroids, dimension));
        }
    }

    [Fact]
    public void Train_EveryClusterNonEmpty_WhenDataHasDuplicates()
    {
        // 300 points but only 3 distinct values: splitting keeps all 6 centroids finite and distinct lists usable.
        var data = new float[300 * 2];
        for (int i = 0; i < 300; i++)
        {
            data[i * 2] = i % 3;
            data[i * 2 + 1] = -(i % 3);
        }
        float[] trained = KMeans.Train(data, 2, 6, seed: 1);
        Assert.All(trained, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Train_RejectsTooFewPoints() =>
        Assert.Throws<ArgumentException>(() => KMeans.Train(new float[4 * 3], 3, 5, seed: 1));
}

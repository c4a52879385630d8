using VectorDb.Index.Clustering;
using VectorDb.Index.Common;

namespace VectorDb.Index.Tests.Clustering;

/// <summary>
/// Centroid scores against a double-precision oracle (inner product; 2⟨v,c⟩ − ‖c‖² for L2), the same bits at every
/// level, and the nearest centroid with ties to the smaller index.
/// </summary>
public class CentroidTableTests
{
    [Theory]
    [InlineData(1, 3, false)]
    [InlineData(16, 100, true)]
    [InlineData(37, 24, false)]
    [InlineData(1024, 100, true)]
    [InlineData(5, 1, true)]
    public void Scores_MatchOracle_AndAgreeBitForBitAcrossLevels(int count, int dimension, bool l2)
    {
        var rng = new SplitMix64((ulong)(count * 31 + dimension));
        float[] centroids = Enumerable.Range(0, count * dimension).Select(_ => (float)rng.NextGaussian()).ToArray();
        float[] vector = Enumerable.Range(0, dimension).Select(_ => (float)rng.NextGaussian()).ToArray();
        var table = new CentroidTable(centroids, count, dimension, l2);
        float[]? reference = null;
        foreach (SimdLevel level in SimdCapabilities.Available)
        {
            var scores = new float[table.ScoreSpace];
            table.Score(vector, scores, level);
            for (int c = 0; c < count; c++)
            {
                double dot = 0, squares = 0;
                for (int j = 0; j < dimension; j++)
                {
                    dot += (double)vector[j] * centroids[c * dimension + j];
                    squares += (double)centroids[c * dimension + j] * centroids[c * dimension + j];
                }
                double expected = l2 ? 2 * dot - squares : dot;
                // float32 sums of d ≤ 100 products of N(0,1) values: error ≲ d·2^-24·Σ|terms| ≈ 1e-4 at d = 100.
                Assert.True(Math.Abs(scores[c] - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected) + dimension),
                    $"{level} centroid {c}: {scores[c]} vs oracle {expected}");
            }
            reference ??= scores[..count];
            Assert.Equal(reference, scores[..count]);
        }
    }

    [Fact]
    public void Nearest_PrefersTheSmallerIndexOnTies_AndTheClosestUnderL2()
    {
        // Centroids 1 and 3 are the same point; the vector is nearest to them under L2 but not by inner product.
        float[] centroids = [10, 0, 1, 1, 0, 0, 1, 1];
        var l2 = new CentroidTable(centroids, 4, 2, l2: true);
        var ip = new CentroidTable(centroids, 4, 2, l2: false);
        var scores = new float[l2.ScoreSpace];
        foreach (SimdLevel level in SimdCapabilities.Available)
        {
            Assert.Equal(1, l2.Nearest([1.1f, 0.9f], scores, level));
            Assert.Equal(0, ip.Nearest([1.1f, 0.9f], scores, level));
        }
        Assert.Throws<ArgumentException>(() => l2.Score([1f, 2f], new float[4], SimdLevel.Scalar));
        Assert.Throws<ArgumentException>(() => new CentroidTable(centroids, 3, 2, l2: false));
    }
}

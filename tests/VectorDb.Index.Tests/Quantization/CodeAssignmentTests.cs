using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Quantization;

public class CodeAssignmentTests
{
    public static TheoryData<SimdLevel> Levels() => new(SimdCapabilities.Available);

    [Theory]
    [MemberData(nameof(Levels))]
    public void Assign_EveryLevelMatchesNearestCentroidOracleBitForBit(SimdLevel level)
    {
        foreach (int bits in new[] { 1, 2, 3, 4, 5, 8 })
        {
            var codebook = Codebook.Gaussian(bits);
            foreach (int d in new[] { 1, 7, 8, 15, 16, 31, 32, 33, 100, 257 })
            {
                float[] y = RandomVectors.Gaussian(d, (ulong)(d * 31 + bits));
                y[0] = 0f; // the middle threshold itself: code of z = 0 is the largest negative centroid
                float factor = 0.73f;
                var codes = new byte[d];
                var sums = CodeAssignment.Assign(y, factor, codebook, codes, level);

                var lanes = new double[8];
                var squares = new double[8];
                for (int j = 0; j < d; j++)
                {
                    float z = y[j] * factor;
                    int expected = NearestCentroid(codebook, z);
                    Assert.True(expected == codes[j], $"level {level}, b={bits}, d={d}, j={j}: code {codes[j]}, nearest {expected}");
                    float q = codebook.Centroids[expected];
                    lanes[j & 7] += (double)y[j] * q;
                    squares[j & 7] += (double)q * q;
                }
                Assert.Equal(FixedOrderSums.Combine(lanes), sums.RotatedDotCentroids);
                Assert.Equal(FixedOrderSums.Combine(squares), sums.CentroidSquares);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void FixedOrderDot_IsBitIdenticalToScalar(SimdLevel level)
    {
        foreach (int d in new[] { 1, 5, 8, 16, 17, 100, 768, 1001 })
        {
            float[] a = RandomVectors.Gaussian(d, (ulong)d);
            float[] b = RandomVectors.Gaussian(d, (ulong)d + 99);
            Assert.Equal(FixedOrderSums.Dot(a, b, SimdLevel.Scalar), FixedOrderSums.Dot(a, b, level));
            Assert.Equal(RandomVectors.Dot(a, b), FixedOrderSums.Dot(a, b, level), 1e-9);
        }
    }

    /// <summary>DotRows (every code list's centre term in one pass) gives each row exactly the scalar Dot.</summary>
    [Theory]
    [MemberData(nameof(Levels))]
    public void FixedOrderDotRows_IsBitIdenticalToScalarDotPerRow(SimdLevel level)
    {
        foreach (int d in new[] { 1, 17, 100, 768 })
        {
            const int rows = 9;
            float[] matrix = RandomVectors.Gaussian(rows * d, (ulong)d + 7);
            float[] v = RandomVectors.Gaussian(d, (ulong)d + 8);
            var results = new double[rows];
            FixedOrderSums.DotRows(matrix, v, results, level);
            for (int i = 0; i < rows; i++)
            {
                Assert.Equal(FixedOrderSums.Dot(matrix.AsSpan(i * d, d), v, SimdLevel.Scalar), results[i]);
            }
        }
    }

    /// <summary>Oracle: argmin_k |z − c_k| over the float centroids (a tie at a midpoint goes to the lower code).</summary>
    private static int NearestCentroid(Codebook codebook, float z)
    {
        int best = 0;
        for (int k = 1; k < codebook.Levels; k++)
        {
            if (Math.Abs((double)z - codebook.CentroidsExact[k]) < Math.Abs((double)z - codebook.CentroidsExact[best]))
            {
                best = k;
            }
        }
        return best;
    }
}

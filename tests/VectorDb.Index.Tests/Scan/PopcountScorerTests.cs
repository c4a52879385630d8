using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

public class PopcountScorerTests
{
    public static IEnumerable<object[]> Dimensions() => ScanOracle.Dimensions.Select(d => new object[] { d });

    [Theory]
    [MemberData(nameof(Dimensions))]
    public void Counts_EqualBitByBitOracle_AndEstimateWithinDerivedBound(int dimension)
    {
        var rng = new SplitMix64((ulong)dimension + 77);
        const int count = 45;
        byte[][] codes = ScanOracle.RandomCodes(ref rng, count, dimension, 1);
        var store = new OneBitCodes(dimension);
        foreach (byte[] row in codes)
        {
            store.Add(row);
        }
        float[] weights = ScanOracle.Gaussian(ref rng, dimension);
        float[] centroids = ScanOracle.Codebook(ref rng, 1, dimension);
        var query = new BitPlaneQuery(dimension);
        query.Build(weights, centroids);
        var scorer = new PopcountScorer(store, query);
        var raw = new float[32];
        for (int block = 0; block < store.BlockCount; block++)
        {
            scorer.ScoreBlock(block, raw);
            for (int v = 0; v < 32 && block * 32 + v < count; v++)
            {
                int row = block * 32 + v;
                int ones = 0, weighted = 0;
                for (int j = 0; j < dimension; j++)
                {
                    int u = 0;
                    for (int p = 0; p < BitPlaneQuery.QueryBits; p++)
                    {
                        u |= (int)((query.Planes[p * query.WordsPerVector + j / 64] >> (j % 64)) & 1) << p;
                    }
                    ones += codes[row][j];
                    weighted += codes[row][j] * u;
                }
                Assert.Equal((ones, weighted), PopcountScorer.Counts(store.Rows(row, 1), query.Planes, query.WordsPerVector));
                double exact = ScanOracle.ExactDot(weights, centroids, codes[row]);
                double slack = 1e-5 * ScanOracle.Magnitude(weights, centroids);
                Assert.True(Math.Abs(raw[v] - exact) <= query.ErrorBound + slack, $"d={dimension} row {row}: |{raw[v]} − {exact}| > {query.ErrorBound}");
            }
        }
    }

    [Fact]
    public void AddPacked_EqualsAdd_AndRejectsPaddingBits()
    {
        var rng = new SplitMix64(9);
        byte[] row = ScanOracle.RandomCodes(ref rng, 1, 70, 1)[0];
        var packed = new byte[PackedCodes.PackedLength(70, 1)];
        PackedCodes.Pack(row, 1, packed);
        var a = new OneBitCodes(70);
        var b = new OneBitCodes(70);
        a.Add(row);
        b.AddPacked(packed);
        Assert.True(a.Rows(0, 1).SequenceEqual(b.Rows(0, 1)));
        packed[^1] |= 0x80;
        Assert.Throws<ArgumentException>(() => b.AddPacked(packed));
        Assert.Equal(1, b.Count);
    }
}

using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb.Index.Tests.Search;

/// <summary><see cref="VectorIndex.Reserve"/> only pre-sizes: results are the brute-force oracle's as without it.</summary>
public partial class VectorIndexTests
{
    [Fact]
    public void Reserve_ChangesNoResult()
    {
        var data = RandomVectors(700, 20, 81);
        var query = RandomVectors(1, 20, 82)[0];
        using var index = new VectorIndex(new VectorIndexOptions(new VectorDb.Index.Quantization.QuantizerOptions(20, 4, 7), Metric.L2));
        index.Reserve(5000);
        for (int i = 0; i < data.Length; i++)
        {
            index.Upsert((ulong)i, data[i]);
        }
        index.Reserve(10); // smaller than what is there: no effect
        Assert.Equal(BruteForce(data, query, 10, Metric.L2),
            index.Search(query, new SearchOptions(10, Reranking.Fixed, Oversampling: 70)).Hits.Select(h => h.Id));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Reserve(-1));
    }
}

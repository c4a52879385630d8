using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb.Index.Tests.Search;

/// <summary>
/// <see cref="VectorIndex.SearchBatch(ReadOnlySpan{float}, SearchOptions)"/>: exact search through the batch equals
/// the brute-force oracle; every query of a batch gets what a search of that query alone gets (ids and score bits),
/// at every SIMD level (the batched 512-bit kernel or the one-query fallback), with deletes, every re-rank mode and
/// a batch size that is not a multiple of four; bad input is refused before anything is searched.
/// </summary>
public partial class VectorIndexTests
{
    public static IEnumerable<object[]> BatchLevels() =>
        from level in SimdCapabilities.Available
        from bits in new[] { 1, 2, 4, 3 }
        select new object[] { level, bits };

    [Theory]
    [MemberData(nameof(BatchLevels))]
    public void SearchBatch_EachQuery_EqualsItsOwnSearch(SimdLevel level, int bits)
    {
        var data = RandomVectors(1500, 48, 21, clustered: true);
        float[][] queries = RandomVectors(7, 48, 22, clustered: true);
        foreach (Metric metric in new[] { Metric.InnerProduct, Metric.L2, Metric.Cosine })
        {
            using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(48, bits, 7), metric),
                new SimdLevelOverride(level));
            for (int i = 0; i < data.Length; i++)
            {
                index.Upsert((ulong)i, data[i]);
            }
            for (int i = 0; i < data.Length; i += 9)
            {
                index.Delete((ulong)i);
            }
            foreach (var options in new[]
            {
                new SearchOptions(10, Reranking.None), new SearchOptions(5, Reranking.Fixed, Oversampling: 4),
                new SearchOptions(10, Reranking.Auto), new SearchOptions(2000, Reranking.None),
            })
            {
                SearchResult[] batch = index.SearchBatch(queries.SelectMany(q => q).ToArray(), options);
                Assert.Equal(queries.Length, batch.Length);
                for (int q = 0; q < queries.Length; q++)
                {
                    SearchResult alone = index.Search(queries[q], options);
                    Assert.Equal(alone.Hits, batch[q].Hits);
                    Assert.Equal(alone.Reranked, batch[q].Reranked);
                    Assert.Equal(alone.Candidates, batch[q].Candidates);
                }
            }
        }
    }

    [Theory]
    [InlineData(Metric.InnerProduct, 4)]
    [InlineData(Metric.L2, 2)]
    [InlineData(Metric.Cosine, 1)]
    public void SearchBatch_ExactRerankOfEveryRow_EqualsBruteForce(Metric metric, int bits)
    {
        var data = RandomVectors(700, 40, 31);
        float[][] queries = RandomVectors(6, 40, 32);
        using var index = Build(data, metric, bits);
        var deleted = new HashSet<ulong>();
        for (ulong id = 3; id < 700; id += 11)
        {
            index.Delete(id);
            deleted.Add(id);
        }
        SearchResult[] batch = index.SearchBatch(queries.SelectMany(q => q).ToArray(),
            new SearchOptions(10, Reranking.Fixed, Oversampling: 700));
        for (int q = 0; q < queries.Length; q++)
        {
            Assert.Equal(BruteForce(data, queries[q], 10, metric, deleted), batch[q].Hits.Select(h => h.Id));
        }
    }

    [Fact]
    public void SearchBatch_BadInput_IsRefusedWithoutSearching()
    {
        using var index = Build(RandomVectors(100, 16, 41), Metric.InnerProduct);
        var options = new SearchOptions(5, Reranking.None);
        float[] queries = RandomVectors(3, 16, 42).SelectMany(q => q).ToArray();

        Assert.Contains("multiple of the dimension 16", Assert.Throws<ArgumentException>(() => index.SearchBatch(queries.AsSpan(0, 40), options)).Message);
        queries[37] = float.NaN;
        Assert.Contains("coordinate 5", Assert.Throws<ArgumentException>(() => index.SearchBatch(queries, options)).Message);
        queries[37] = 0;
        var hits = new SearchHit[14];
        var found = new int[3];
        Assert.Throws<ArgumentException>(() => index.SearchBatch(queries, options, hits, found, new SearchStatistics[3]));
        Assert.All(found, f => Assert.Equal(0, f));
        Assert.Empty(index.SearchBatch([], options));
    }

    [Fact]
    public void SearchBatch_EmptyIndex_FindsNothing()
    {
        using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(16, 4, 7), Metric.L2));
        SearchResult[] results = index.SearchBatch(new float[16 * 5], new SearchOptions(3, Reranking.Auto));
        Assert.Equal(5, results.Length);
        Assert.All(results, r => Assert.Empty(r.Hits));
    }
}

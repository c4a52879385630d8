using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Search;

/// <summary>A warm query writing into a caller buffer allocates nothing (the scan path's contract).</summary>
public class VectorIndexAllocationTests
{
    [Theory]
    [InlineData(4, Reranking.None, IndexLayout.Flat)]
    [InlineData(4, Reranking.Auto, IndexLayout.Flat)]
    [InlineData(2, Reranking.Fixed, IndexLayout.Flat)]
    [InlineData(4, Reranking.Auto, IndexLayout.Ivf)]
    [InlineData(3, Reranking.None, IndexLayout.Flat)]
    public void WarmQuery_AllocatesNothing(int bits, Reranking mode, IndexLayout kind)
    {
        var data = TestDatasets.Glove20k;
        using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(data.Dimension, bits, 42), Metric.InnerProduct,
            OriginalsFormat.Float32, kind, NList: 64));
        for (int i = 0; i < 4000; i++)
        {
            index.Upsert((ulong)i, data.Base.Row(i));
        }
        if (kind == IndexLayout.Ivf)
        {
            index.TrainIvf();
        }
        var options = new SearchOptions(10, mode, NProbe: 8);
        var hits = new SearchHit[10];
        for (int q = 0; q < 20; q++)
        {
            index.Search(data.Queries.Row(q), options, hits, out _);
        }
        // The least of several attempts: tiered JIT may allocate once while a method is recompiled.
        long least = long.MaxValue;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int q = 0; q < 20; q++)
            {
                index.Search(data.Queries.Row(q), options, hits, out _);
            }
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }

    [Theory]
    [InlineData(4, Reranking.None)]
    [InlineData(2, Reranking.Auto)]
    public void WarmBatch_AllocatesNothing(int bits, Reranking mode)
    {
        var data = TestDatasets.Glove20k;
        using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(data.Dimension, bits, 42), Metric.InnerProduct));
        for (int i = 0; i < 4000; i++)
        {
            index.Upsert((ulong)i, data.Base.Row(i));
        }
        var options = new SearchOptions(10, mode);
        const int queries = 9;
        float[] batch = Enumerable.Range(0, queries).SelectMany(q => data.Queries.Row(q).ToArray()).ToArray();
        var hits = new SearchHit[queries * 10];
        var found = new int[queries];
        var statistics = new SearchStatistics[queries];
        index.SearchBatch(batch, options, hits, found, statistics);
        long least = long.MaxValue;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            index.SearchBatch(batch, options, hits, found, statistics);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }
}

using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Search;

/// <summary>
/// Residual code lists of a flat index (format 2): a flat index that has trained lists codes each vector against its
/// list's centroid and scans every list. Checked against an IVF index over the same lists with every list probed
/// (the same residual codes, scanned in another order), against itself one query at a time (batches), for every point
/// kept across training, and for recall on real data against the collection-mean codes.
/// </summary>
public class CodeListsTests
{
    private const int Dimension = 48;

    /// <summary>Clustered vectors far from the origin, as real embeddings are (<see cref="CentredCodesTests"/>' data).</summary>
    private static float[][] OffsetVectors(int count, ulong seed) => CentredCodesTests.OffsetVectors(count, seed, Dimension);

    private static VectorIndex Build(float[][] data, Metric metric, int bits, IndexLayout kind, SimdLevel? level = null)
    {
        var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(Dimension, bits, 5), metric, OriginalsFormat.Float32, kind),
            level is { } l ? new SimdLevelOverride(l) : null);
        for (int i = 0; i < data.Length; i++)
        {
            index.Upsert((ulong)i, data[i]);
        }
        return index;
    }

    public static IEnumerable<object[]> Cases() =>
        from level in SimdCapabilities.Available
        from metric in new[] { Metric.InnerProduct, Metric.L2, Metric.Cosine }
        from bits in new[] { 1, 2, 4, 8 }
        select new object[] { level, metric, bits };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FlatCodeLists_EqualIvfOverTheSameLists_WithEveryListProbed(SimdLevel level, Metric metric, int bits)
    {
        var data = OffsetVectors(1200, 41);
        using var flat = Build(data, metric, bits, IndexLayout.Flat, level);
        using var ivf = Build(data, metric, bits, IndexLayout.Ivf, level);
        flat.TrainCodeLists(8);
        ivf.TrainIvf(8);
        Assert.True(flat.HasCodeLists);
        Assert.False(flat.IsTrained);
        Assert.Equal("mean+lists", flat.CentringDescription);
        Assert.Equal(ivf.IvfCentroidVectors(), flat.IvfCentroidVectors());
        foreach (float[] query in OffsetVectors(5, 42))
        {
            // The flat index ignores nprobe; the IVF index is told to probe every list.
            var fromFlat = flat.Search(query, new SearchOptions(40, Reranking.None, NProbe: 1)).Hits;
            var fromIvf = ivf.Search(query, new SearchOptions(40, Reranking.None, NProbe: 8)).Hits;
            Assert.Equal(fromIvf, fromFlat);
        }
    }

    public static IEnumerable<object[]> BatchCases() =>
        from level in SimdCapabilities.Available
        from bits in new[] { 1, 2, 4, 3 }
        select new object[] { level, bits };

    [Theory]
    [MemberData(nameof(BatchCases))]
    public void FlatCodeLists_SearchBatch_EachQuery_EqualsItsOwnSearch(SimdLevel level, int bits)
    {
        var data = OffsetVectors(1500, 43);
        float[][] queries = OffsetVectors(7, 44);
        foreach (Metric metric in new[] { Metric.InnerProduct, Metric.L2, Metric.Cosine })
        {
            using var index = Build(data, metric, bits, IndexLayout.Flat, level);
            index.TrainCodeLists(6);
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
                for (int q = 0; q < queries.Length; q++)
                {
                    SearchResult alone = index.Search(queries[q], options);
                    Assert.Equal(alone.Hits, batch[q].Hits);
                    Assert.Equal(alone.Reranked, batch[q].Reranked);
                }
            }
        }
    }

    [Theory]
    [InlineData(Metric.InnerProduct)]
    [InlineData(Metric.L2)]
    [InlineData(Metric.Cosine)]
    public void FlatCodeLists_KeepEveryPoint_ThroughTrainingUpsertsAndDeletes(Metric metric)
    {
        var data = OffsetVectors(1000, 45);
        var later = OffsetVectors(300, 46);
        using var index = Build(data, metric, 4, IndexLayout.Flat);
        index.TrainCodeLists(8);
        var live = Enumerable.Range(0, data.Length).ToDictionary(i => (ulong)i, i => data[i]);
        for (int i = 0; i < later.Length; i++)
        {
            // New ids after training, and overwrites of trained rows, go to their nearest list.
            ulong id = i % 2 == 0 ? (ulong)(5000 + i) : (ulong)i;
            index.Upsert(id, later[i]);
            live[id] = later[i];
        }
        for (ulong id = 3; id < 1000; id += 13)
        {
            index.Delete(id);
            live.Remove(id);
        }
        Assert.Equal(8, index.ListCount);
        Assert.Equal(live.Count, index.Count);
        var all = index.Search(later[0], new SearchOptions(live.Count + 10, Reranking.None)).Hits;
        Assert.Equal(live.Keys.ToHashSet(), all.Select(h => h.Id).ToHashSet());
        // Under L2 and cosine a vector is its own nearest neighbour once re-ranked: the codes of every list lead there.
        foreach (var (id, vector) in live.Where((_, i) => i % 37 == 0))
        {
            if (metric != Metric.InnerProduct)
            {
                Assert.Equal(id, index.Search(vector, new SearchOptions(1, Reranking.Fixed, Oversampling: 20)).Hits[0].Id);
            }
        }
    }

    [Fact]
    public void CodeListsDue_OnlyForFlatCentredIndexes_FromTheThreshold()
    {
        var data = OffsetVectors(300, 47);
        using var flat = Build(data, Metric.InnerProduct, 4, IndexLayout.Flat);
        Assert.False(flat.CodeListsDue());
        Assert.True(flat.CodeListsDue(threshold: 300));
        Assert.False(flat.CodeListsDue(threshold: 301));
        using var ivf = Build(data, Metric.InnerProduct, 4, IndexLayout.Ivf);
        Assert.True(ivf.CodeListsDue(threshold: 2)); // until its IVF lists are trained an IVF index scans everything
        ivf.TrainIvf(4);
        Assert.False(ivf.CodeListsDue(threshold: 2));
        using var uncentred = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(Dimension, 4, 5), Metric.InnerProduct,
            CodeFormat: CodeLayout.UncentredLayoutVersion));
        foreach (var vector in data)
        {
            uncentred.Upsert((ulong)uncentred.Count, vector);
        }
        Assert.False(uncentred.CodeListsDue(threshold: 2));
        // Without originals the rows would be re-encoded from their decoded codes: no lists.
        using var noOriginals = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(Dimension, 4, 5), Metric.InnerProduct,
            Originals: OriginalsFormat.None));
        foreach (var vector in data)
        {
            noOriginals.Upsert((ulong)noOriginals.Count, vector);
        }
        Assert.False(noOriginals.CodeListsDue(threshold: 2));
        flat.TrainCodeLists(2);
        Assert.False(flat.CodeListsDue(threshold: 2)); // 300 vectors: 2 lists by default, as trained
    }

    [Fact]
    public void CodeLists_AreDueAgain_OnceTheCollectionHasOutgrownThem()
    {
        var data = OffsetVectors(2897, 49);
        using var index = Build(data[..1024], Metric.InnerProduct, 2, IndexLayout.Flat);
        Assert.True(index.CodeListsDue(threshold: 1024));
        index.TrainCodeLists();
        Assert.Equal(2, index.ListCount);
        for (int i = 1024; i < 2896; i++)
        {
            index.Upsert((ulong)i, data[i]);
        }
        // 2,896 vectors: 4 lists by default (512·2^2.5 ≈ 2,896.3 is where 8 becomes nearer), under 4 × 2.
        Assert.False(index.CodeListsDue(threshold: 1024));
        index.Upsert(2896, data[2896]);
        Assert.True(index.CodeListsDue(threshold: 1024)); // 2,897: 8 lists
        index.TrainCodeLists();
        Assert.Equal(8, index.ListCount);
        Assert.False(index.CodeListsDue(threshold: 1024));
        var all = index.Search(data[5], new SearchOptions(data.Length, Reranking.None)).Hits;
        Assert.Equal(data.Length, all.Select(h => h.Id).Distinct().Count());
    }

    [Fact]
    public void IvfIndex_WithCodeLists_ScansEverything_UntilItsIvfListsAreTrained()
    {
        var data = OffsetVectors(1200, 48);
        using var index = Build(data, Metric.L2, 4, IndexLayout.Ivf);
        index.TrainCodeLists(8);
        Assert.True(index.HasCodeLists);
        var everything = index.Search(data[0], new SearchOptions(data.Length, Reranking.None, NProbe: 1)).Hits;
        Assert.Equal(data.Length, everything.Length); // nprobe does not apply to code lists

        index.TrainIvf(8); // the IVF lists replace the code lists
        Assert.True(index.IsTrained);
        Assert.False(index.HasCodeLists);
        var oneList = index.Search(data[0], new SearchOptions(data.Length, Reranking.None, NProbe: 1)).Hits;
        Assert.InRange(oneList.Length, 1, data.Length - 1);
        var allLists = index.Search(data[0], new SearchOptions(data.Length, Reranking.None, NProbe: 8)).Hits;
        Assert.Equal(data.Length, allLists.Length);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(4096, 8)]
    [InlineData(20_000, 32)]
    [InlineData(60_000, 128)]
    [InlineData(200_000, 256)]
    [InlineData(50_000_000, 256)]
    public void DefaultCodeListCount_IsThePowerOfTwoNearestOnePerFiveHundredAndTwelve_UpTo256(int vectors, int lists) =>
        Assert.Equal(lists, VectorIndexOptions.DefaultCodeListCount(vectors));

    /// <summary>
    /// On real data (a 20k GloVe slice, inner product, originals kept, no re-rank), the default code lists beat the
    /// collection-mean codes at every low bit width: the point of the lists.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void OnRealData_CodeLists_BeatTheCollectionMean_WithoutRerank(int bits)
    {
        var data = TestDatasets.Glove20k;
        double Recall(bool lists)
        {
            using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(data.Dimension, bits, 42),
                Metric.InnerProduct, OriginalsFormat.Float32));
            for (int i = 0; i < data.Base.Count; i++)
            {
                index.Upsert((ulong)i, data.Base.Row(i));
            }
            if (lists)
            {
                Assert.True(index.CodeListsDue());
                index.TrainCodeLists();
            }
            double recall = 0;
            for (int q = 0; q < data.Queries.Count; q++)
            {
                var truth = data.TrueNeighbours[q].Take(10).Select(id => (ulong)id).ToHashSet();
                recall += index.Search(data.Queries.Row(q), new SearchOptions(10, Reranking.None)).Hits.Count(h => truth.Contains(h.Id)) / 10.0;
            }
            return recall / data.Queries.Count;
        }
        double withLists = Recall(lists: true), mean = Recall(lists: false);
        // The gain grows with the collection: +6 points at b = 2 on the full 200k set with 256 lists.
        Assert.True(withLists >= mean + 0.003, $"{bits} bits: code lists recall@10 {withLists:F4}, collection mean {mean:F4}");
    }
}

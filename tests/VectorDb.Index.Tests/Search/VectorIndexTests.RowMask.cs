using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb.Index.Tests.Search;

/// <summary>A caller's row choice (<see cref="RowMask"/>) and queries checked once (<see cref="CheckedQuery"/>).</summary>
public partial class VectorIndexTests
{
    [Fact]
    public void RowMask_OnIvfLists_ReturnsTheChosenRowsOnly_AsTheOracle()
    {
        var data = RandomVectors(1500, 16, 81, clustered: true);
        using var index = Build(data, Metric.L2, kind: IndexLayout.Ivf, nlist: 8);
        index.TrainIvf();
        Assert.Equal(8, index.ListCount);
        bool Passes(ulong id) => id % 7 == 3;
        RowMask chosen = index.RowsOf(Enumerable.Range(0, 1500).Select(i => (ulong)i).Where(Passes));
        var excluded = Enumerable.Range(0, 1500).Select(i => (ulong)i).Where(id => !Passes(id)).ToHashSet();
        foreach (var query in RandomVectors(5, 16, 82, clustered: true))
        {
            // Every list probed and every candidate re-ranked: the exact top 10 among the chosen rows.
            var hits = index.Search(query, new SearchOptions(10, Reranking.Fixed, Oversampling: 1500, NProbe: 8), chosen).Hits;
            Assert.Equal(BruteForce(data, query, 10, Metric.L2, excluded), hits.Select(h => h.Id));
        }
    }

    /// <summary>The ids a search with fewer probes than lists scans (<see cref="VectorIndex.ProbedIds"/>): live, each once,
    /// only some of the points, and every row the search reaches: a mask of exactly them changes no result, and the
    /// result is the exact top 10 among them (brute force over the points not probed left out).</summary>
    [Fact]
    public void ProbedIds_AreTheLiveRowsOfTheProbedLists_AMaskOfThemChangesNoResult()
    {
        var data = RandomVectors(1500, 16, 86, clustered: true);
        using var index = Build(data, Metric.L2, kind: IndexLayout.Ivf, nlist: 8);
        index.TrainIvf();
        for (ulong id = 0; id < 1500; id += 5)
        {
            index.Delete(id);
        }
        var options = new SearchOptions(10, Reranking.Fixed, Oversampling: 1500, NProbe: 2);
        var ids = new List<ulong> { 12345 }; // stale content: cleared by the call
        foreach (var query in RandomVectors(5, 16, 87, clustered: true))
        {
            Assert.Equal(QueryFault.None, index.Check(query, out CheckedVector vector, out _));
            Assert.True(index.ProbedIds(vector.With(options), ids));
            Assert.InRange(ids.Count, 1, 1199);
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.DoesNotContain(ids, id => id % 5 == 0 || id >= 1500);
            var hits = index.Search(query, options).Hits;
            Assert.Equal(hits, index.Search(query, options, index.RowsOf(ids)).Hits);
            var notScanned = Enumerable.Range(0, 1500).Select(i => (ulong)i).Except(ids).ToHashSet();
            Assert.Equal(BruteForce(data, query, 10, Metric.L2, notScanned), hits.Select(h => h.Id));
        }
        Assert.Equal(QueryFault.None, index.Check(data[0], out CheckedVector every, out _));
        Assert.False(index.ProbedIds(every.With(options with { NProbe = 8 }), ids)); // every list: no subset to give
        Assert.Empty(ids);
    }

    [Fact]
    public void RowMask_ChoosesRowsLiveWhenBuilt_NotRowsWrittenAfter()
    {
        var data = RandomVectors(200, 8, 83);
        using var index = Build(data, Metric.InnerProduct);
        RowMask chosen = index.RowsOf([5, 6, 7, 999]); // 999: no such id, skipped
        Assert.Equal(200, chosen.RowCount);
        Assert.False(chosen.Contains(200));
        index.Upsert(6, data[6]); // id 6 moves to a new row (200), which the mask has not seen
        index.Upsert(300, data[5]); // a new point, also unseen
        var hits = index.Search(data[5], new SearchOptions(10, Reranking.Fixed, Oversampling: 200), chosen).Hits;
        Assert.Equal(new ulong[] { 5, 7 }, hits.Select(h => h.Id).Order());
    }

    [Fact]
    public void CheckedQuery_SearchesAsTheRawQuery_AndIsBoundToItsIndex()
    {
        var data = RandomVectors(500, 12, 84);
        using var index = Build(data, Metric.Cosine);
        using var other = Build(data, Metric.Cosine);
        var options = new SearchOptions(10, Reranking.Auto);
        var queries = RandomVectors(3, 12, 85);
        var checkedQueries = new CheckedQuery[queries.Length];
        for (int q = 0; q < queries.Length; q++)
        {
            Assert.Equal(QueryFault.None, index.Check(queries[q], out CheckedVector vector, out _));
            checkedQueries[q] = vector.With(options);
            Assert.Equal(index.Search(queries[q], options).Hits, index.Search(checkedQueries[q]).Hits);
        }
        var batch = index.SearchBatch(checkedQueries);
        Assert.Equal(queries.Select(q => index.Search(q, options).Hits), batch.Select(r => r.Hits));
        Assert.Throws<ArgumentException>(() => other.Search(checkedQueries[0]));
        Assert.Throws<ArgumentException>(() => index.Search(default(CheckedQuery)));
    }

    [Fact]
    public void Check_ReportsTheFault_AndOptionsAreValidatedWhenAdded()
    {
        using var index = Build(RandomVectors(20, 4, 86), Metric.L2);
        Assert.Equal(QueryFault.WrongLength, index.Check(new float[3], out _, out _));
        Assert.Equal(QueryFault.NotFinite, index.Check(new float[] { 0, 1, float.NaN, 0 }, out _, out int coordinate));
        Assert.Equal(2, coordinate);
        Assert.Equal(QueryFault.None, index.Check(new float[4], out CheckedVector vector, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => vector.With(new SearchOptions(1, Oversampling: 0.5)));
    }
}

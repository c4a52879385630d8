using System.Text.Json.Nodes;
using VectorDb.Tests.Support;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb.Engine.Tests;

/// <summary>Search results of the embedded engine against a brute-force oracle over the same vectors.</summary>
public sealed class EngineSearchTests
{
    private const int N = 1500;
    private const int D = 24;

    public static TheoryData<Metric, OriginalsFormat> Variants => new()
    {
        { Metric.InnerProduct, OriginalsFormat.Float32 },
        { Metric.Cosine, OriginalsFormat.Float32 },
        { Metric.L2, OriginalsFormat.Float32 },
        { Metric.Cosine, OriginalsFormat.Float16 },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task ExactSearch_EqualsBruteForce_WithAndWithoutFilter_AndAfterReopen(Metric metric, OriginalsFormat originals)
    {
        using var dir = new TempDirectory();
        var vectors = TestVectors.Gaussian(N, D, seed: 11);
        var queries = TestVectors.Gaussian(8, D, seed: 12);
        // float16 originals: the oracle must score the vectors the engine keeps (rounded to binary16).
        var kept = originals == OriginalsFormat.Float16
            ? vectors.Select(v => v.Select(x => (float)(Half)x).ToArray()).ToArray()
            : vectors;
        var points = kept.Select((v, i) => ((ulong)i * 3 + 1, v)).ToArray();
        bool Selective(ulong id) => id % 50 == 1; // 2% of the points: ids 1, 151, ...

        await using (var db = await VectorDatabase.OpenAsync(dir.Path))
        {
            var c = await db.CreateCollectionAsync("c", new CollectionConfig(D, metric, Originals: originals));
            await c.UpsertAsync([.. vectors.Select((v, i) => new PointInput((ulong)i * 3 + 1, v,
                new JsonObject { ["bucket"] = ((ulong)i * 3 + 1) % 50 }))]);
            await AssertExactAsync(c);
        }
        await using (var reopened = await VectorDatabase.OpenAsync(dir.Path))
        {
            await AssertExactAsync(reopened.GetCollection("c"));
        }

        async Task AssertExactAsync(VectorCollection c)
        {
            Assert.Equal(N, c.Count);
            foreach (var q in queries)
            {
                var expected = TestVectors.BruteForce(metric, q, points, 10);
                var got = await c.SearchAsync(new SearchRequest(q, 10) { Exact = true });
                AssertSame(expected, got);

                var filter = new Filter(Must: [new MatchCondition("bucket", FieldValue.Of(1L))]);
                var expectedFiltered = TestVectors.BruteForce(metric, q, points, 10, Selective);
                var gotFiltered = await c.SearchAsync(new SearchRequest(q, 10) { Exact = true, Filter = filter });
                Assert.Equal(10, gotFiltered.Count); // 30 points match; the filter runs in the scan, so k are found
                AssertSame(expectedFiltered, gotFiltered);
            }
        }
    }

    [Fact]
    public async Task AutoRerank_SelectiveFilter_StillReturnsKMatchingPoints_AndHighRecall()
    {
        using var dir = new TempDirectory();
        var vectors = TestVectors.Gaussian(N, D, seed: 21);
        var queries = TestVectors.Gaussian(20, D, seed: 22);
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        var c = await db.CreateCollectionAsync("c", new CollectionConfig(D, Metric.InnerProduct));
        await c.UpsertAsync([.. vectors.Select((v, i) => new PointInput((ulong)i, v, new JsonObject { ["even"] = i % 2 == 0, ["rare"] = i % 100 == 7 }))]);
        var points = vectors.Select((v, i) => ((ulong)i, v)).ToArray();
        int found = 0, total = 0;
        foreach (var q in queries)
        {
            var rare = await c.SearchAsync(new SearchRequest(q, 10) { Filter = new Filter(Must: [new MatchCondition("rare", FieldValue.Of(true))]) });
            Assert.Equal(10, rare.Count); // 15 points match out of 1500
            Assert.All(rare, h => Assert.Equal(7UL, (ulong)h.Id % 100));

            var expected = TestVectors.BruteForce(Metric.InnerProduct, q, points, 10).Select(e => e.Id).ToHashSet();
            var got = await c.SearchAsync(new SearchRequest(q, 10));
            found += got.Count(h => expected.Contains((ulong)h.Id));
            total += 10;
        }
        // 4-bit eden codes with auto re-rank over 8x oversampling: measured 200/200 on this seeded Gaussian data
        // (deterministic, 2026-12-05). The floor (0.99) sits just below it, so a re-rank or rotation regression fails.
        Assert.True(found >= 0.99 * total, $"recall@10 = {found}/{total}");
    }

    [Fact]
    public async Task Ivf_TrainsAtThreshold_AndExactSearchOverAllListsEqualsBruteForce()
    {
        using var dir = new TempDirectory();
        var vectors = TestVectors.Gaussian(N, D, seed: 31);
        var points = vectors.Select((v, i) => ((ulong)i, v)).ToArray();
        var options = new DatabaseOptions { IvfTrainingThreshold = 1000 };
        await using var db = await VectorDatabase.OpenAsync(dir.Path, options);
        var c = await db.CreateCollectionAsync("ivf", new CollectionConfig(D, Metric.L2, Index: IndexLayout.Ivf, NList: 16));
        await c.UpsertAsync([.. vectors.Take(999).Select((v, i) => new PointInput((ulong)i, v))]);
        Assert.Equal(1, c.GetInfo().IvfLists);
        Assert.Null(c.BackgroundTraining); // below the threshold nothing is started
        await c.UpsertAsync([.. vectors.Skip(999).Select((v, i) => new PointInput((ulong)(i + 999), v))]);
        // The 1000th point started the training in the background: the lists come in without any further call. The
        // test waits for that training task itself (the 5 minute bound only guards against a hang).
        var training = c.BackgroundTraining;
        Assert.NotNull(training);
        await training.WaitAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(16, c.GetInfo().IvfLists);
        await c.TrainIndexAsync(); // an explicit retraining keeps the same lists (same seed, same sample)
        Assert.Equal(16, c.GetInfo().IvfLists);
        foreach (var q in TestVectors.Gaussian(5, D, seed: 32))
        {
            var got = await c.SearchAsync(new SearchRequest(q, 10) { Exact = true }); // exact scans every list
            AssertSame(TestVectors.BruteForce(Metric.L2, q, points, 10), got);
            got = await c.SearchAsync(new SearchRequest(q, 10) { Rerank = Reranking.Fixed, Oversampling = 200, NProbe = 16 });
            AssertSame(TestVectors.BruteForce(Metric.L2, q, points, 10), got);
        }
    }

    [Fact]
    public async Task NoOriginals_SearchUsesEstimates_AndGetReturnsReconstruction()
    {
        using var dir = new TempDirectory();
        var vectors = TestVectors.Gaussian(300, D, seed: 41);
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        var c = await db.CreateCollectionAsync("codes", new CollectionConfig(D, Metric.InnerProduct, Bits: 8, Originals: OriginalsFormat.None));
        await c.UpsertAsync([.. vectors.Select((v, i) => new PointInput((ulong)i, v))]);
        var hits = await c.SearchAsync(new SearchRequest(vectors[5], 5) { WithVector = true });
        Assert.Equal(5, hits.Count);
        Assert.Equal(5UL, hits[0].Id);
        // 8-bit codes reconstruct each coordinate to within a few percent of the vector's scale.
        var back = hits[0].Vector!;
        double err = 0, norm = 0;
        for (int j = 0; j < D; j++)
        {
            err += Math.Pow(back[j] - vectors[5][j], 2);
            norm += Math.Pow(vectors[5][j], 2);
        }
        Assert.True(err < 0.01 * norm, $"relative squared error {err / norm}");
        await Assert.ThrowsAsync<ArgumentException>(() => c.SearchAsync(new SearchRequest(vectors[0], 5) { Exact = true }));
    }

    /// <summary>
    /// A batch mixes requests the index scans four at a time (same k and re-rank, no filter) with ones it searches
    /// alone (filter, exact, other options): each result must equal the same request searched by itself, and the
    /// exact ones the oracle.
    /// </summary>
    [Fact]
    public async Task SearchBatch_GroupedAndSingleRequests_EachEqualsItsOwnSearch()
    {
        using var dir = new TempDirectory();
        var vectors = TestVectors.Gaussian(N, D, seed: 51);
        var queries = TestVectors.Gaussian(12, D, seed: 52);
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        var c = await db.CreateCollectionAsync("c", new CollectionConfig(D, Metric.InnerProduct));
        await c.UpsertAsync([.. vectors.Select((v, i) => new PointInput((ulong)i, v, new JsonObject { ["even"] = i % 2 == 0 }))]);
        await c.DeleteAsync([3, 4, 5]);
        var filter = new Filter(Must: [new MatchCondition("even", FieldValue.Of(true))]);
        SearchRequest[] requests =
        [
            .. queries.Take(7).Select(q => new SearchRequest(q, 10)),
            new SearchRequest(queries[7], 5) { Rerank = Reranking.None },
            new SearchRequest(queries[8], 5) { Rerank = Reranking.None },
            new SearchRequest(queries[9], 10) { Filter = filter },
            new SearchRequest(queries[10], 10) { Exact = true },
            new SearchRequest(queries[11], 10) { ScoreThreshold = 0f },
        ];

        IReadOnlyList<SearchResults> batch = await c.SearchBatchAsync(requests);

        Assert.Equal(requests.Length, batch.Count);
        for (int i = 0; i < requests.Length; i++)
        {
            SearchResults alone = await c.SearchAsync(requests[i]);
            Assert.Equal(alone.Select(p => (p.Id, p.Score)), batch[i].Select(p => (p.Id, p.Score)));
            Assert.Equal(alone.Reranked, batch[i].Reranked);
        }
        var points = vectors.Select((v, i) => ((ulong)i, v)).Where(p => p.Item1 is < 3 or > 5);
        AssertSame(TestVectors.BruteForce(Metric.InnerProduct, queries[10], points, 10), batch[10]);
        Assert.All(batch[11], p => Assert.True(p.Score >= 0f));
    }

    [Fact]
    public async Task SearchBatch_OneBadQuery_FailsTheBatchWithItsReason()
    {
        using var dir = new TempDirectory();
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        var c = await db.CreateCollectionAsync("c", new CollectionConfig(D, Metric.L2));
        await c.UpsertAsync([.. TestVectors.Gaussian(100, D, seed: 61).Select((v, i) => new PointInput((ulong)i, v))]);
        var good = TestVectors.Gaussian(5, D, seed: 62);
        var nan = (float[])good[0].Clone();
        nan[7] = float.NaN;

        var wrongLength = await Assert.ThrowsAsync<ArgumentException>(() => c.SearchBatchAsync(
            [.. good.Select(q => new SearchRequest(q, 3)), new SearchRequest(new float[D + 1], 3)]));
        Assert.Contains($"collection 'c' has dimension {D}", wrongLength.Message, StringComparison.Ordinal);
        var notFinite = await Assert.ThrowsAsync<ArgumentException>(() => c.SearchBatchAsync(
            [.. good.Select(q => new SearchRequest(q, 3)), new SearchRequest(nan, 3)]));
        Assert.Contains("coordinate 7 is NaN", notFinite.Message, StringComparison.Ordinal);
    }

    private static void AssertSame((ulong Id, double Score)[] expected, IReadOnlyList<ScoredPoint> got)
    {
        Assert.Equal(expected.Select(e => e.Id), got.Select(g => (ulong)g.Id));
        for (int i = 0; i < expected.Length; i++)
        {
            // Engine arithmetic is float32 over d = 24 terms: relative error ~1e-6; 1e-4 allows any summation order.
            Assert.True(Math.Abs(expected[i].Score - got[i].Score) <= 1e-4 * Math.Max(1, Math.Abs(expected[i].Score)),
                $"rank {i}: oracle {expected[i].Score}, engine {got[i].Score}");
        }
    }
}

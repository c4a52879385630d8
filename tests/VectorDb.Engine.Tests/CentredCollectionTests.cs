using VectorDb.Tests.Support;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb.Engine.Tests;

/// <summary>
/// Format 2 collections through the engine and real storage: the centre is fixed by the batch that reaches the
/// sample size and written to <c>centre.vdb</c> before any record uses it; a reopened collection (rows written before
/// the centre re-encoded on open, IVF lists rebuilt from the persisted centroids and their residual codes re-made)
/// answers exactly as before it was closed, with originals in memory, on disk, or none; and exact search still equals brute force.
/// </summary>
public sealed class CentredCollectionTests
{
    private const int Dimension = 24;

    public static TheoryData<Metric, OriginalsFormat, bool> Variants => new()
    {
        { Metric.Cosine, OriginalsFormat.Float32, false },
        { Metric.L2, OriginalsFormat.Float16, true },
        { Metric.InnerProduct, OriginalsFormat.None, false },
    };

    /// <summary>Vectors around a common offset (as real embeddings are), so that centring matters.</summary>
    private static float[][] OffsetVectors(int n, ulong seed)
    {
        var noise = TestVectors.Gaussian(n, Dimension, seed);
        return noise.Select(v => v.Select((x, j) => x + 3f + 0.1f * j).ToArray()).ToArray();
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task CentreIsPersisted_AndReopenAfterTraining_AnswersIdentically(Metric metric, OriginalsFormat format, bool originalsOnDisk)
    {
        using var dir = new TempDirectory();
        var options = new DatabaseOptions { IvfTrainingThreshold = 1_800, OriginalsMemoryBytes = originalsOnDisk ? 0 : long.MaxValue };
        var config = new CollectionConfig(Dimension, metric, Bits: 4, Originals: format, Index: IndexLayout.Ivf, NList: 16);
        var data = OffsetVectors(2_000, 5);
        var queries = OffsetVectors(12, 6);
        string centrePath = Path.Combine(dir.Path, "c", "centre.vdb");

        var before = new List<(ulong Id, float Score)[]>();
        await using (var db = await VectorDatabase.OpenAsync(dir.Path, options))
        {
            var collection = await db.CreateCollectionAsync("c", config);
            Assert.Equal(CodeLayout.LayoutVersion, collection.Config.CodeFormat);
            for (int first = 0; first < data.Length; first += 300)
            {
                var batch = data.Skip(first).Take(300).Select((v, i) => new PointInput((ulong)(first + i), v)).ToArray();
                await collection.UpsertAsync(batch);
                // The batch that reaches 1,024 points fixes the centre, written before its records.
                Assert.Equal(first + batch.Length >= VectorIndexOptions.DefaultCentreSampleSize, File.Exists(centrePath));
            }
            await collection.TrainIndexAsync();
            before.AddRange(await SearchAllAsync(collection, queries));
            await AssertExactMatchesBruteForceAsync(collection, queries, data, metric, format);
        }

        await using (var db = await VectorDatabase.OpenAsync(dir.Path, options))
        {
            var collection = db.GetCollection("c");
            // No training on open: the lists come back from ivf.vdb, so the residual codes are re-made the same way.
            Assert.True(File.Exists(Path.Combine(dir.Path, "c", "ivf.vdb")));
            var after = await SearchAllAsync(collection, queries);
            Assert.Equal(before.Count, after.Count);
            for (int i = 0; i < before.Count; i++)
            {
                Assert.Equal(before[i], after[i]);
            }
        }
    }

    /// <summary>
    /// A flat collection trains residual code lists in the background once it holds
    /// <see cref="DatabaseOptions.CodeListsThreshold"/> points (when it keeps originals), persists their centroids in
    /// codelists.vdb, still finds every point, and answers identically after a reopen; without originals it keeps the
    /// collection mean (no lists), and a threshold of 0 turns the lists off.
    /// </summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public async Task FlatCollection_TrainsCodeLists_AtTheThreshold_AndReopenAnswersIdentically(Metric metric, OriginalsFormat format, bool originalsOnDisk)
    {
        using var dir = new TempDirectory();
        var options = new DatabaseOptions { CodeListsThreshold = 1_500, OriginalsMemoryBytes = originalsOnDisk ? 0 : long.MaxValue };
        var config = new CollectionConfig(Dimension, metric, Bits: 2, Originals: format);
        var data = OffsetVectors(2_000, 7);
        var queries = OffsetVectors(12, 8);
        string centroidsPath = Path.Combine(dir.Path, "c", "codelists.vdb");
        bool listsExpected = format != OriginalsFormat.None;
        int lists = VectorIndexOptions.DefaultCodeListCount(data.Length);

        var before = new List<(ulong Id, float Score)[]>();
        await using (var db = await VectorDatabase.OpenAsync(dir.Path, options))
        {
            var collection = await db.CreateCollectionAsync("c", config);
            for (int first = 0; first < data.Length; first += 500)
            {
                await collection.UpsertAsync([.. data.Skip(first).Take(500).Select((v, i) => new PointInput((ulong)(first + i), v))]);
                // Nothing is trained below the threshold; the write that reaches it starts the training.
                Assert.Equal(listsExpected && first + 500 >= options.CodeListsThreshold, collection.BackgroundTraining is not null);
            }
            if (collection.BackgroundTraining is { } training)
            {
                await training;
            }
            Assert.Equal(listsExpected ? lists : 1, collection.GetInfo().IvfLists);
            Assert.Equal(listsExpected, File.Exists(centroidsPath));
            // Every point is still there: an exhaustive code-only search returns each id once.
            var all = await collection.SearchAsync(new SearchRequest(queries[0], data.Length) { Rerank = Reranking.None });
            Assert.Equal(data.Length, all.Select(h => (ulong)h.Id).Distinct().Count());
            before.AddRange(await SearchAllAsync(collection, queries));
            await AssertExactMatchesBruteForceAsync(collection, queries, data, metric, format);
        }

        await using (var db = await VectorDatabase.OpenAsync(dir.Path, options))
        {
            var collection = db.GetCollection("c");
            Assert.Null(collection.BackgroundTraining); // the lists come back from codelists.vdb: no training on open
            Assert.Equal(listsExpected ? lists : 1, collection.GetInfo().IvfLists);
            var after = await SearchAllAsync(collection, queries);
            Assert.Equal(before.Count, after.Count);
            for (int i = 0; i < before.Count; i++)
            {
                Assert.Equal(before[i], after[i]);
            }
        }

        await using (var db = await VectorDatabase.OpenAsync(dir.Path, options with { CodeListsThreshold = 0 }))
        {
            var collection = await db.CreateCollectionAsync("off", config);
            await collection.UpsertAsync([.. data.Select((v, i) => new PointInput((ulong)i, v))]);
            Assert.Null(collection.BackgroundTraining);
            Assert.Equal(1, collection.GetInfo().IvfLists);
        }
    }

    /// <summary>
    /// An IVF collection (the default kind) has code lists before it is big enough for IVF lists, then IVF lists, which
    /// a reopen takes from ivf.vdb (the older codelists.vdb stays unused).
    /// </summary>
    [Fact]
    public async Task IvfCollection_HasCodeListsUntilItsIvfListsAreTrained_AndReopensWithTheIvfLists()
    {
        using var dir = new TempDirectory();
        var options = new DatabaseOptions { CodeListsThreshold = 600, IvfTrainingThreshold = 1_800 };
        var config = new CollectionConfig(Dimension, Metric.Cosine, Bits: 4, Index: IndexLayout.Ivf, NList: 16);
        var data = OffsetVectors(2_000, 9);
        var queries = OffsetVectors(6, 10);
        var before = new List<(ulong Id, float Score)[]>();
        await using (var db = await VectorDatabase.OpenAsync(dir.Path, options))
        {
            var collection = await db.CreateCollectionAsync("c", config);
            await collection.UpsertAsync([.. data.Take(1_000).Select((v, i) => new PointInput((ulong)i, v))]);
            await collection.BackgroundTraining!;
            Assert.Equal(VectorIndexOptions.DefaultCodeListCount(1_000), collection.GetInfo().IvfLists);
            Assert.True(File.Exists(Path.Combine(dir.Path, "c", "codelists.vdb")));
            await collection.UpsertAsync([.. data.Skip(1_000).Select((v, i) => new PointInput((ulong)(1_000 + i), v))]);
            await collection.TrainIndexAsync(); // waits for the IVF training the last write started
            Assert.Equal(16, collection.GetInfo().IvfLists);
            Assert.True(File.Exists(Path.Combine(dir.Path, "c", "ivf.vdb")));
            before.AddRange(await SearchAllAsync(collection, queries));
        }
        await using (var db = await VectorDatabase.OpenAsync(dir.Path, options))
        {
            var collection = db.GetCollection("c");
            Assert.Null(collection.BackgroundTraining);
            Assert.Equal(16, collection.GetInfo().IvfLists);
            Assert.Equal(before, await SearchAllAsync(collection, queries));
        }
    }

    /// <summary>Every query with re-ranking off, fixed and auto, every list probed and the default probes.</summary>
    private static async Task<List<(ulong Id, float Score)[]>> SearchAllAsync(VectorCollection collection, float[][] queries)
    {
        var results = new List<(ulong, float)[]>();
        foreach (var q in queries)
        {
            foreach (var request in new[]
            {
                new SearchRequest(q, 10) { Rerank = Reranking.None, NProbe = 16 },
                new SearchRequest(q, 10) { Rerank = Reranking.Fixed, Oversampling = 4 },
                new SearchRequest(q, 10),
            })
            {
                var hits = await collection.SearchAsync(request);
                results.Add([.. hits.Select(h => ((ulong)h.Id, h.Score))]);
            }
        }
        return results;
    }

    private static async Task AssertExactMatchesBruteForceAsync(VectorCollection collection, float[][] queries, float[][] data,
        Metric metric, OriginalsFormat format)
    {
        if (format == OriginalsFormat.None)
        {
            return; // no originals: no exact search
        }
        var points = data.Select((v, i) => ((ulong)i, format == OriginalsFormat.Float16 ? v.Select(x => (float)(Half)x).ToArray() : v)).ToArray();
        foreach (var q in queries.Take(4))
        {
            var expected = TestVectors.BruteForce(metric, q, points, 10);
            var exact = await collection.SearchAsync(new SearchRequest(q, 10) { Exact = true });
            Assert.Equal(expected.Select(e => e.Id), exact.Select(h => (ulong)h.Id));
        }
    }
}

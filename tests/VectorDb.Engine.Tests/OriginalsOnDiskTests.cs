using System.Runtime.InteropServices;
using VectorDb.Tests.Support;
using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb.Engine.Tests;

/// <summary>
/// Bounded memory for originals (<see cref="DatabaseOptions.OriginalsMemoryBytes"/>): a collection over the budget
/// re-ranks from the blob log on disk and must return exactly what the same collection held in memory returns
/// (same ids, bit-identical scores), before and after overwrites, deletes and a reopen; its exact search must equal a
/// brute-force oracle; and the memory its originals hold (the in-memory store's allocated bytes) never exceeds the
/// budget.
/// </summary>
public sealed class OriginalsOnDiskTests
{
    public static TheoryData<Metric, OriginalsFormat, bool> Variants => new()
    {
        { Metric.Cosine, OriginalsFormat.Float32, true }, // real GloVe vectors; crosses the budget mid-ingest
        { Metric.InnerProduct, OriginalsFormat.Float32, false },
        { Metric.L2, OriginalsFormat.Float16, false },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task OverBudget_SearchesEqualInMemory_AndBruteForce_ThroughUpdatesAndReopen(
        Metric metric, OriginalsFormat format, bool crossMidway)
    {
        using var memDir = new TempDirectory();
        using var diskDir = new TempDirectory();
        float[][] vectors = crossMidway ? GloveRows(6000) : TestVectors.Gaussian(1500, 32, seed: 51);
        float[][] queries = crossMidway ? GloveQueries(12) : TestVectors.Gaussian(12, 32, seed: 52);
        int d = vectors[0].Length;
        var config = new CollectionConfig(d, metric, Originals: format);
        var model = new Dictionary<ulong, float[]>();
        var batches = vectors.Select((v, i) => new PointInput((ulong)i * 5 + 2, v)).Chunk(1000).ToArray();

        long budget;
        var memDb = await VectorDatabase.OpenAsync(memDir.Path);
        var mem = await memDb.CreateCollectionAsync("c", config);
        await mem.UpsertAsync(batches[0]);
        // Budget: exactly what the first batch takes in memory (one chunk of rows), so the on-disk twin starts in
        // memory and must switch once a batch needs a second chunk; or 0 (originals always on disk).
        budget = crossMidway ? mem.OriginalBytesInMemory : 0;
        var diskOptions = new DatabaseOptions { OriginalsMemoryBytes = budget };
        var diskDb = await VectorDatabase.OpenAsync(diskDir.Path, diskOptions);
        var disk = await diskDb.CreateCollectionAsync("c", config);
        for (int b = 0; b < batches.Length; b++)
        {
            if (b > 0)
            {
                await mem.UpsertAsync(batches[b]);
            }
            await disk.UpsertAsync(batches[b]);
            foreach (var p in batches[b])
            {
                model[(ulong)p.Id] = Kept(p.Vector.ToArray(), format);
            }
            Assert.True(disk.OriginalBytesInMemory <= budget, $"batch {b}: {disk.OriginalBytesInMemory} bytes of originals in memory, budget {budget}");
            if (crossMidway && b == 0)
            {
                Assert.False(disk.OriginalsOnDisk); // within the budget: still in memory
                Assert.True(disk.OriginalBytesInMemory > 0);
            }
        }
        Assert.True(disk.OriginalsOnDisk);
        Assert.Equal(0, disk.OriginalBytesInMemory);
        Assert.False(mem.OriginalsOnDisk);
        await AssertSameAsync(mem, disk, queries, metric, model);

        // Overwrite every 9th point with a fresh vector (no duplicates, so the oracle's order has no exact ties),
        // delete every 13th, in both.
        var fresh = TestVectors.Gaussian(model.Count, d, seed: 53);
        var overwrite = model.Keys.Where(id => id % 9 == 2).Select((id, i) => new PointInput(id, fresh[i])).ToArray();
        ulong[] delete = [.. model.Keys.Where(id => id % 13 == 2)];
        foreach (var c in new[] { mem, disk })
        {
            await c.UpsertAsync(overwrite);
            await c.DeleteAsync([.. delete.Select(id => (PointId)id)]);
        }
        foreach (var p in overwrite)
        {
            model[(ulong)p.Id] = Kept(p.Vector.ToArray(), format);
        }
        foreach (ulong id in delete)
        {
            model.Remove(id);
        }
        await AssertSameAsync(mem, disk, queries, metric, model);

        await memDb.DisposeAsync();
        await diskDb.DisposeAsync();
        await using var memAgain = await VectorDatabase.OpenAsync(memDir.Path);
        await using var diskAgain = await VectorDatabase.OpenAsync(diskDir.Path, diskOptions);
        var reopened = diskAgain.GetCollection("c");
        Assert.True(reopened.OriginalsOnDisk); // over the budget at open: originals are never loaded
        Assert.Equal(0, reopened.OriginalBytesInMemory);
        await AssertSameAsync(memAgain.GetCollection("c"), reopened, queries, metric, model);
    }

    /// <summary>The index seam alone, at every SIMD level: an index re-ranking through an
    /// <see cref="IOriginalReader"/> (a dictionary of the same bytes) scores bit-identically to one holding its
    /// originals, for fixed and auto re-ranking, float32 and float16.</summary>
    [Theory]
    [InlineData(OriginalsFormat.Float32, Metric.Cosine)]
    [InlineData(OriginalsFormat.Float16, Metric.L2)]
    [InlineData(OriginalsFormat.Float32, Metric.InnerProduct)]
    public void IndexWithExternalOriginals_ScoresBitIdentically_AtEverySimdLevel(OriginalsFormat precision, Metric metric)
    {
        var vectors = TestVectors.Gaussian(800, 40, seed: 61);
        var queries = TestVectors.Gaussian(10, 40, seed: 62);
        foreach (SimdLevel level in SimdCapabilities.Available)
        {
            var options = new VectorIndexOptions(new QuantizerOptions(40, 2, 7, QuantizerScheme.EdenUnbiased), metric, precision);
            using var inMemory = new VectorIndex(options, new SimdLevelOverride(level));
            using var external = new VectorIndex(options, new SimdLevelOverride(level));
            var reader = new DictionaryReader(precision);
            external.UseExternalOriginals(reader);
            for (int i = 0; i < vectors.Length; i++)
            {
                inMemory.Upsert((ulong)i, vectors[i]);
                external.Upsert((ulong)i, vectors[i]);
                reader.Put((ulong)i, vectors[i]);
            }
            external.Delete(3);
            inMemory.Delete(3);
            Assert.Null(external.Originals);
            Assert.Equal(0, external.OriginalBytesInMemory);
            foreach (var q in queries)
            {
                foreach (var search in new[] { new SearchOptions(10, Reranking.Fixed, Oversampling: 5), new SearchOptions(10, Reranking.Auto) })
                {
                    var a = inMemory.Search(q, search);
                    var b = external.Search(q, search);
                    Assert.Equal(a.Hits, b.Hits); // ids and float scores, bit for bit
                    Assert.Equal(a.Reranked, b.Reranked);
                }
            }
            Assert.Throws<InvalidOperationException>(() => external.UseExternalOriginals(reader));
        }
    }

    private static async Task AssertSameAsync(VectorCollection mem, VectorCollection disk, float[][] queries, Metric metric,
        Dictionary<ulong, float[]> model)
    {
        // Both collections train the same code lists from the same writes; compare once both have them.
        await (mem.BackgroundTraining ?? Task.CompletedTask);
        await (disk.BackgroundTraining ?? Task.CompletedTask);
        Assert.Equal(mem.GetInfo().IvfLists, disk.GetInfo().IvfLists);
        Assert.Equal(mem.Count, disk.Count);
        var points = model.Select(p => (p.Key, p.Value)).ToArray();
        foreach (var q in queries)
        {
            foreach (var request in new[]
            {
                new SearchRequest(q, 10),
                new SearchRequest(q, 10) { Rerank = Reranking.Fixed, Oversampling = 6 },
                new SearchRequest(q, 10) { Exact = true },
            })
            {
                var a = await mem.SearchAsync(request);
                var b = await disk.SearchAsync(request);
                Assert.Equal(a.Select(h => (h.Id, h.Score)), b.Select(h => (h.Id, h.Score)));
                Assert.Equal(a.Reranked, b.Reranked);
            }
            // Independent oracle for the on-disk collection: brute force over the model (float64 arithmetic).
            var expected = TestVectors.BruteForce(metric, q, points, 10);
            var exact = await disk.SearchAsync(new SearchRequest(q, 10) { Exact = true });
            Assert.Equal(expected.Select(e => e.Id), exact.Select(h => (ulong)h.Id));
            for (int i = 0; i < expected.Length; i++)
            {
                // float32 sums over d ≤ 100 terms: relative error ~1e-6; 1e-4 allows any summation order.
                Assert.True(Math.Abs(expected[i].Score - exact[i].Score) <= 1e-4 * Math.Max(1, Math.Abs(expected[i].Score)),
                    $"rank {i}: oracle {expected[i].Score}, engine {exact[i].Score}");
            }
        }
    }

    private static float[] Kept(float[] vector, OriginalsFormat format) =>
        format == OriginalsFormat.Float16 ? [.. vector.Select(x => (float)(Half)x)] : vector;

    private static float[][] GloveRows(int n)
    {
        var set = GloveSlice.Base();
        return [.. Enumerable.Range(0, n).Select(i => set.Row(i).ToArray())];
    }

    private static float[][] GloveQueries(int n)
    {
        var set = GloveSlice.Queries(n);
        return [.. Enumerable.Range(0, set.Count).Select(i => set.Row(i).ToArray())];
    }

    /// <summary>Test reader: the bytes the index would store (float32, or float16-rounded), keyed by id.</summary>
    private sealed class DictionaryReader(OriginalsFormat precision) : IOriginalReader
    {
        private readonly Dictionary<ulong, byte[]> _rows = [];

        public void Put(ulong id, float[] vector) => _rows[id] = precision == OriginalsFormat.Float32
            ? MemoryMarshal.AsBytes(vector.AsSpan()).ToArray()
            : MemoryMarshal.AsBytes(vector.Select(x => (Half)x).ToArray().AsSpan()).ToArray();

        public void Read(ReadOnlySpan<ulong> ids, Span<byte> destination, Span<bool> found)
        {
            for (int i = 0; i < ids.Length; i++)
            {
                if (_rows.TryGetValue(ids[i], out var row))
                {
                    row.CopyTo(destination[(i * row.Length)..]);
                    found[i] = true;
                }
                else
                {
                    found[i] = false;
                }
            }
        }
    }
}

using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb.Index.Tests.Search;

/// <summary>
/// The search layer against a brute-force oracle in double precision: exact re-ranking must return exactly the
/// oracle's top k among the candidates, IVF probing every list must equal flat, deletes are never returned.
/// </summary>
public partial class VectorIndexTests
{
    private static float[][] RandomVectors(int count, int dimension, ulong seed, bool clustered = false)
    {
        var rng = new SplitMix64(seed);
        var centres = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)rng.NextGaussian() * 3).ToArray()).ToArray();
        var vectors = new float[count][];
        for (int i = 0; i < count; i++)
        {
            vectors[i] = new float[dimension];
            var centre = centres[i % centres.Length];
            for (int j = 0; j < dimension; j++)
            {
                vectors[i][j] = (float)rng.NextGaussian() + (clustered ? centre[j] : 0f);
            }
        }
        return vectors;
    }

    /// <summary>Oracle: exact top-k ids, double precision, best first, ties to the smaller id.</summary>
    private static ulong[] BruteForce(float[][] data, float[] query, int k, Metric metric, ISet<ulong>? deleted = null)
    {
        double queryNorm = Math.Sqrt(query.Sum(v => (double)v * v));
        return data.Select((row, id) =>
            {
                double dot = 0, squares = 0, distance = 0;
                for (int j = 0; j < row.Length; j++)
                {
                    dot += (double)row[j] * query[j];
                    squares += (double)row[j] * row[j];
                    distance += ((double)row[j] - query[j]) * ((double)row[j] - query[j]);
                }
                double score = metric switch
                {
                    Metric.InnerProduct => dot,
                    Metric.Cosine => dot / (Math.Sqrt(squares) * queryNorm),
                    _ => -distance,
                };
                return (Id: (ulong)id, Score: score);
            })
            .Where(p => deleted is null || !deleted.Contains(p.Id))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Id)
            .Take(k).Select(p => p.Id).ToArray();
    }

    private static VectorIndex Build(float[][] data, Metric metric, int bits = 4,
        QuantizerScheme scheme = QuantizerScheme.EdenUnbiased, IndexLayout kind = IndexLayout.Flat, int nlist = 0,
        bool ivfResiduals = true)
    {
        var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(data[0].Length, bits, 7, scheme), metric,
            OriginalsFormat.Float32, kind, nlist, IvfResiduals: ivfResiduals));
        for (int i = 0; i < data.Length; i++)
        {
            index.Upsert((ulong)i, data[i]);
        }
        return index;
    }

    /// <summary>Re-ranking every vector (oversampling = n) is exact search: the result must be the oracle's.</summary>
    [Theory]
    [InlineData(Metric.InnerProduct, 4, QuantizerScheme.EdenUnbiased)]
    [InlineData(Metric.Cosine, 2, QuantizerScheme.EdenBiased)]
    [InlineData(Metric.L2, 3, QuantizerScheme.TurboQuantMse)]
    [InlineData(Metric.L2, 4, QuantizerScheme.TurboQuantProd)]
    [InlineData(Metric.InnerProduct, 1, QuantizerScheme.TurboQuantProd)]
    [InlineData(Metric.InnerProduct, 8, QuantizerScheme.EdenUnbiased)]
    public void FixedRerankOfEverything_EqualsBruteForce(Metric metric, int bits, QuantizerScheme scheme)
    {
        var data = RandomVectors(300, 24, 1);
        using var index = Build(data, metric, bits, scheme);
        foreach (var query in RandomVectors(20, 24, 2))
        {
            var result = index.Search(query, new SearchOptions(10, Reranking.Fixed, Oversampling: 30));
            Assert.Equal(BruteForce(data, query, 10, metric), result.Hits.Select(h => h.Id));
            Assert.Equal(300, result.Reranked);
        }
    }

    /// <summary>Searches between inserts reuse cached per-partition scorers: rows added after the first search (here
    /// filling the last block and opening new ones) must still be scanned. Oracle: brute force over what was
    /// inserted so far, with every row re-ranked.</summary>
    [Theory]
    [InlineData(QuantizerScheme.TurboQuantProd, 4)]
    [InlineData(QuantizerScheme.TurboQuantProd, 1)]
    [InlineData(QuantizerScheme.EdenUnbiased, 4)]
    [InlineData(QuantizerScheme.EdenUnbiased, 8)]
    public void SearchesBetweenInserts_SeeEveryRow(QuantizerScheme scheme, int bits)
    {
        var data = RandomVectors(200, 24, 11);
        var query = RandomVectors(1, 24, 12)[0];
        using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(24, bits, 7, scheme), Metric.InnerProduct));
        int inserted = 0;
        foreach (int upTo in new[] { 40, 50, 130, 200 })
        {
            for (; inserted < upTo; inserted++)
            {
                index.Upsert((ulong)inserted, data[inserted]);
            }
            var result = index.Search(query, new SearchOptions(10, Reranking.Fixed, Oversampling: upTo));
            Assert.Equal(BruteForce(data[..upTo], query, 10, Metric.InnerProduct), result.Hits.Select(h => h.Id));
        }
    }

    /// <summary>Without re-ranking, the scores are estimates: every returned score must be within a few σ of the
    /// exact one (4-bit EDEN, relative error of an inner product ≈ √(D/(1−D)/d) ≈ 2% at d = 64).</summary>
    [Fact]
    public void EstimatedScores_AreCloseToExact()
    {
        var data = RandomVectors(500, 64, 3);
        using var index = Build(data, Metric.InnerProduct);
        foreach (var query in RandomVectors(10, 64, 4))
        {
            foreach (var hit in index.Search(query, new SearchOptions(20, Reranking.None)).Hits)
            {
                double exact = data[hit.Id].Zip(query, (a, b) => (double)a * b).Sum();
                double scale = Math.Sqrt(data[hit.Id].Sum(v => (double)v * v) * query.Sum(v => (double)v * v));
                // 6σ of the normalized error (σ ≈ 0.1/√63 ≈ 0.0124) plus the 8-bit table rounding.
                Assert.InRange(Math.Abs(hit.Score - exact) / scale, 0, 0.1);
            }
        }
    }

    [Theory]
    [InlineData(Metric.InnerProduct)]
    [InlineData(Metric.L2)]
    [InlineData(Metric.Cosine)]
    public void IvfProbingEveryList_EqualsFlat(Metric metric)
    {
        // Lists that keep the collection-centred codes (IvfResiduals off): every list probed is the flat scan exactly.
        var data = RandomVectors(1200, 32, 5, clustered: true);
        using var flat = Build(data, metric);
        using var ivf = Build(data, metric, kind: IndexLayout.Ivf, nlist: 16, ivfResiduals: false);
        ivf.TrainIvf();
        Assert.Equal(16, ivf.ListCount);
        foreach (var query in RandomVectors(15, 32, 6, clustered: true))
        {
            foreach (var mode in new[] { Reranking.None, Reranking.Fixed, Reranking.Auto })
            {
                var options = new SearchOptions(10, mode, NProbe: 16);
                var expected = flat.Search(query, options).Hits;
                var actual = ivf.Search(query, options).Hits;
                Assert.Equal(expected.Select(h => h.Id), actual.Select(h => h.Id));
                Assert.Equal(expected.Select(h => h.Score), actual.Select(h => h.Score));
            }
        }
    }

    [Fact]
    public void IvfAddsAfterTraining_GoToALists_AndAreFound()
    {
        var data = RandomVectors(1000, 16, 7, clustered: true);
        using var index = Build(data[..800], Metric.L2, kind: IndexLayout.Ivf, nlist: 8);
        index.TrainIvf();
        for (int i = 800; i < 1000; i++)
        {
            index.Upsert((ulong)i, data[i]);
        }
        Assert.Equal(1000, index.Count);
        for (int i = 800; i < 1000; i += 17)
        {
            // A vector is its own nearest neighbour under L2 (distance 0) when its own list is probed.
            var hits = index.Search(data[i], new SearchOptions(1, Reranking.Fixed, Oversampling: 4, NProbe: 8)).Hits;
            Assert.Equal((ulong)i, hits[0].Id);
        }
    }

    [Theory]
    [InlineData(IndexLayout.Flat)]
    [InlineData(IndexLayout.Ivf)]
    public void DeletedAndReplacedVectors_AreNeverReturned(IndexLayout kind)
    {
        var data = RandomVectors(400, 16, 8, clustered: true);
        using var index = Build(data, Metric.InnerProduct, kind: kind, nlist: 4);
        if (kind == IndexLayout.Ivf)
        {
            index.TrainIvf();
        }
        var deleted = new HashSet<ulong>();
        for (ulong id = 0; id < 400; id += 3)
        {
            Assert.True(index.Delete(id));
            deleted.Add(id);
        }
        Assert.False(index.Delete(0));
        Assert.Equal(400 - deleted.Count, index.Count);
        foreach (var query in RandomVectors(10, 16, 9, clustered: true))
        {
            foreach (var mode in new[] { Reranking.None, Reranking.Fixed, Reranking.Auto })
            {
                var hits = index.Search(query, new SearchOptions(50, mode, Oversampling: 10, NProbe: 4)).Hits;
                Assert.DoesNotContain(hits, h => deleted.Contains(h.Id));
            }
            var exact = index.Search(query, new SearchOptions(10, Reranking.Fixed, Oversampling: 40, NProbe: 4)).Hits;
            Assert.Equal(BruteForce(data, query, 10, Metric.InnerProduct, deleted), exact.Select(h => h.Id));
        }

        // Upsert of an existing id replaces it: only the new vector answers.
        var replacement = data[1].Select(v => -v).ToArray();
        index.Upsert(1, replacement);
        var top = index.Search(replacement, new SearchOptions(3, Reranking.Fixed, Oversampling: 50, NProbe: 4)).Hits;
        Assert.Single(top, h => h.Id == 1);
    }

    [Fact]
    public void KLargerThanCollection_ReturnsEveryLiveVector()
    {
        var data = RandomVectors(7, 5, 10);
        using var index = Build(data, Metric.L2);
        index.Delete(3);
        var hits = index.Search(data[0], new SearchOptions(100, Reranking.Auto)).Hits;
        Assert.Equal(6, hits.Length);
        Assert.Equal(BruteForce(data, data[0], 6, Metric.L2, new HashSet<ulong> { 3 }), hits.Select(h => h.Id));
        Assert.All(hits, h => Assert.True(h.Score >= 0));
    }

    [Fact]
    public void EmptyIndex_ReturnsNothing()
    {
        using var index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(8, 4, 1), Metric.Cosine));
        Assert.Empty(index.Search(new float[8], new SearchOptions(5)).Hits);
    }

    [Fact]
    public void DuplicateVectors_AllReturnedWithEqualScores()
    {
        var data = RandomVectors(50, 12, 11);
        var duplicated = data.Concat(Enumerable.Repeat(data[5], 4)).ToArray();
        using var index = Build(duplicated, Metric.InnerProduct);
        var hits = index.Search(data[5], new SearchOptions(5, Reranking.Fixed, Oversampling: 10)).Hits;
        var copies = new ulong[] { 5, 50, 51, 52, 53 };
        Assert.Equal(BruteForce(duplicated, data[5], 5, Metric.InnerProduct), hits.Select(h => h.Id));
        Assert.All(hits.Where(h => copies.Contains(h.Id)), h => Assert.Equal(hits[0].Score, h.Score));
    }

    [Fact]
    public void Filter_IsAppliedDuringTheScan_SoSelectiveFiltersStillFillK()
    {
        var data = RandomVectors(2000, 16, 12);
        using var index = Build(data, Metric.InnerProduct);
        // Only 1 in 100 ids passes: a post-filter over the top 10·8 candidates would return almost nothing.
        bool Passes(ulong id) => id % 100 == 7;
        var query = RandomVectors(1, 16, 13)[0];
        RowMask passing = index.RowsOf(Enumerable.Range(0, 2000).Select(i => (ulong)i).Where(Passes));
        var hits = index.Search(query, new SearchOptions(10, Reranking.Fixed, Oversampling: 2), passing).Hits;
        Assert.Equal(10, hits.Length);
        Assert.All(hits, h => Assert.True(Passes(h.Id)));
        var oracle = BruteForce(data, query, 2000, Metric.InnerProduct).Where(Passes).Take(10);
        Assert.Equal(oracle, hits.Select(h => h.Id));
    }

    [Fact]
    public void BadInput_IsRejectedAndChangesNothing()
    {
        using var index = Build(RandomVectors(10, 4, 14), Metric.L2);
        Assert.Throws<ArgumentException>(() => index.Upsert(99, new float[5]));
        Assert.Throws<ArgumentException>(() => index.Upsert(99, [1, float.NaN, 0, 0]));
        Assert.Throws<ArgumentException>(() => index.Search(new float[3], new SearchOptions(1)));
        Assert.Throws<ArgumentException>(() => index.Search([0, 0, float.PositiveInfinity, 0], new SearchOptions(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(new float[4], new SearchOptions(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(new float[4], new SearchOptions(1, Oversampling: 0.5)));
        Assert.Equal(10, index.Count);
        Assert.False(index.Contains(99));
    }

    [Fact]
    public void ParallelScanOfOneQuery_EqualsSingleThreaded()
    {
        var data = RandomVectors(3000, 20, 15);
        using var index = Build(data, Metric.InnerProduct);
        foreach (var query in RandomVectors(5, 20, 16))
        {
            var single = index.Search(query, new SearchOptions(10, Reranking.None)).Hits;
            var split = index.Search(query, new SearchOptions(10, Reranking.None, Threads: 4)).Hits;
            Assert.Equal(single, split);
        }
    }

    [Fact]
    public void ConcurrentSearchesAndWrites_StayConsistent()
    {
        var data = RandomVectors(2000, 16, 17);
        using var index = Build(data[..1000], Metric.InnerProduct);
        var queries = RandomVectors(50, 16, 18);
        Parallel.Invoke(
            () =>
            {
                for (int i = 1000; i < 2000; i++)
                {
                    index.Upsert((ulong)i, data[i]);
                }
            },
            () => Parallel.For(0, 200, q =>
            {
                var hits = index.Search(queries[q % queries.Length], new SearchOptions(10)).Hits;
                Assert.Equal(10, hits.Length);
                Assert.Equal(hits.Length, hits.Select(h => h.Id).Distinct().Count());
            }));
        Assert.Equal(2000, index.Count);
    }
}

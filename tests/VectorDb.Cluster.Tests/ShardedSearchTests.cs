using VectorDb.Tests.Support;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Cluster.Tests.Support;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using Xunit.Abstractions;

namespace VectorDb.Cluster.Tests;

/// <summary>
/// Three silo processes, S = 6, R = 2, the 20k GloVe slice: a sharded search must answer what one node answers
/// over the same points with the same seeds (the reference is the embedded engine in this process).
/// </summary>
public sealed class ShardedSearchTests(ITestOutputHelper output)
{
    private const int Shards = 6;
    private const int Replicas = 2;

    [Fact]
    public async Task Sharded_search_equals_a_single_node_on_the_glove_slice()
    {
        var points = GlovePoints.Load();
        var queries = GloveSlice.Queries(100);
        var truth = GloveSlice.TrueNeighbours(100);
        // Format 1 (uncentred) codes depend only on the point and the rotation seed, so every shard encodes a point
        // exactly as the single node does: code-only searches must then agree hit for hit. Format 2 (the default)
        // centres each shard on its own mean, so only its exact and re-ranked answers are compared.
        var uncentred = new CollectionConfig(100, Metric.Cosine, Index: IndexLayout.Flat) { CodeFormat = 1 };
        var centred = new CollectionConfig(100, Metric.Cosine);

        await using var cluster = await LocalCluster.StartAsync(3, TimeSpan.FromSeconds(30));
        var coordinator = cluster.Client.GetGrain<IClusterCoordinatorGrain>(0);
        using var singleFolder = new TempDirectory("vectordb-single");
        await using var single = await VectorDatabase.OpenAsync(singleFolder.Path);

        foreach (var (name, config) in new[] { ("plain", uncentred), ("centred", centred) })
        {
            var map = await coordinator.CreateCollection(name, ClusterCollectionSpec.From(config, Shards, Replicas));
            Assert.Equal(Shards, map.Shards.Length);
            Assert.All(map.Shards, a => Assert.Equal(Replicas, a.InSync.Distinct().Count()));
            var reference = await single.CreateCollectionAsync(name, config);
            foreach (var batch in points.Chunk(1000))
            {
                var result = await coordinator.Upsert(name, batch, WriteConsistency.All);
                Assert.True(result.AllAcknowledged, string.Join("; ", result.Errors));
                await reference.UpsertAsync([.. batch.Select(p => new PointInput(p.Id, p.Vector))]);
            }
            Assert.Equal(points.Length, await coordinator.Count(name));
        }

        // A batch with one bad point (spread over every shard) is refused whole: no shard applies its part.
        var zero = new ClusterPoint(999_999, new float[100]);
        var mixed = points.Take(60).Select(p => p with { Id = p.Id.Number + 100_000 }).Append(zero).ToArray();
        await Assert.ThrowsAsync<ArgumentException>(() => coordinator.Upsert("centred", mixed, WriteConsistency.All));
        await Assert.ThrowsAsync<ArgumentException>(() => coordinator.Upsert("centred", [points[0], points[0]], WriteConsistency.All));
        await Assert.ThrowsAsync<ArgumentException>(() => coordinator.Upsert("centred", [points[0] with { PayloadJson = "[1]" }], WriteConsistency.All));
        Assert.Equal(points.Length, await coordinator.Count("centred"));

        async Task<(ClusterHit[] Cluster, ScoredPoint[] Single)> Both(string name, int q, Func<ShardSearchRequest, ShardSearchRequest> shape, ReadPreference preference)
        {
            var request = shape(new ShardSearchRequest(queries.Row(q).ToArray(), 10));
            var clustered = await coordinator.Search(name, request, allowPartial: false, preference);
            Assert.Empty(clustered.MissingShards);
            var local = await single.GetCollection(name).SearchAsync(new SearchRequest(request.Vector, request.K)
            {
                Exact = request.Exact,
                Rerank = Enum.Parse<Reranking>(request.Rerank),
            });
            return (clustered.Hits, [.. local]);
        }

        int exactSame = 0, codesSame = 0;
        double clusterRecall = 0, singleRecall = 0;
        for (int q = 0; q < queries.Count; q++)
        {
            // Exact search: identical ids and bit-identical scores, whichever replica answers.
            var (exactCluster, exactSingle) = await Both("centred", q, r => r with { Exact = true }, q % 2 == 0 ? ReadPreference.Primary : ReadPreference.Any);
            Assert.Equal(exactSingle.Select(h => (h.Id.Number, h.Score)), exactCluster.Select(h => (h.Id.Number, h.Score)));
            exactSame++;

            // Code-only search over format-1 codes: the same estimates, so the same top 10.
            var (codesCluster, codesSingle) = await Both("plain", q, r => r with { Rerank = nameof(Reranking.None) }, ReadPreference.Any);
            Assert.Equal(codesSingle.Select(h => (h.Id.Number, h.Score)), codesCluster.Select(h => (h.Id.Number, h.Score)));
            codesSame++;

            // The default (format 2, re-rank auto): recall@10 against the exact neighbours, both ways.
            var (autoCluster, autoSingle) = await Both("centred", q, r => r, ReadPreference.Primary);
            var expected = truth[q].Take(10).Select(i => (ulong)i).ToHashSet();
            clusterRecall += autoCluster.Count(h => expected.Contains(h.Id.Number)) / 10.0;
            singleRecall += autoSingle.Count(h => expected.Contains(h.Id.Number)) / 10.0;
        }
        clusterRecall /= queries.Count;
        singleRecall /= queries.Count;
        output.WriteLine($"{queries.Count} queries: exact identical {exactSame}, code-only identical {codesSame}; recall@10 (format 2, rerank auto) cluster {clusterRecall:F4}, single node {singleRecall:F4}");
        // Each shard re-ranks its own top candidates, so the merged candidate pool covers the single node's: recall
        // cannot fall below it by more than the per-shard centring noise.
        Assert.True(clusterRecall >= singleRecall - 0.01, $"cluster recall {clusterRecall:F4} vs single node {singleRecall:F4}");
    }
}

using VectorDb.Tests.Support;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb.Engine.Tests;

/// <summary>
/// Huge (and, for cosine, vanishing) finite coordinates: every vector the engine accepts must be findable, by an exact
/// search restricted to its id and as its own nearest neighbour, with finite scores, and every score of every
/// search must be finite; anything else must be refused with <see cref="ArgumentException"/> (INVALID_ARGUMENT),
/// changing nothing. The rule is <see cref="VectorMagnitude"/>: norm ≤ 1e18, cosine norm ≥ 1e-18.
/// </summary>
public sealed class VectorMagnitudeTests
{
    private const int D = 16;
    private const ulong Probe = 1000;

    public static TheoryData<Metric, float> Extremes()
    {
        var data = new TheoryData<Metric, float>();
        foreach (var metric in new[] { Metric.Cosine, Metric.InnerProduct, Metric.L2 })
        {
            foreach (float value in new[] { 3.4e38f, 1e37f, 1e19f, 2.4e17f, 1e17f, 1e-17f, 1e-20f, 1e-30f, 1e-45f, 0f })
                data.Add(metric, value);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Extremes))]
    public async Task ExtremeVector_IsFindableWithFiniteScores_OrRefusedWithoutChange(Metric metric, float value)
    {
        using var dir = new TempDirectory();
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        var c = await db.CreateCollectionAsync("c", new CollectionConfig(D, metric, Index: IndexLayout.Flat));
        var normal = TestVectors.Gaussian(50, D, seed: 3);
        await c.UpsertAsync([.. normal.Select((v, i) => new PointInput((ulong)i, v))]);
        // All coordinates equal, alternating in sign: a direction of its own, far from the Gaussian points.
        var extreme = Enumerable.Range(0, D).Select(j => j % 2 == 0 ? value : -value).ToArray();
        bool accepted;
        try
        {
            await c.UpsertAsync([new PointInput(Probe, extreme)]);
            accepted = true;
        }
        catch (ArgumentException e)
        {
            accepted = false;
            Assert.Contains("norm", e.Message, StringComparison.Ordinal);
            Assert.Equal(normal.Length, c.Count); // refused whole: nothing changed
        }
        if (accepted)
        {
            Assert.Equal(normal.Length + 1, c.Count);
            var byId = await c.SearchAsync(new SearchRequest(extreme, 5) { Exact = true, Filter = new Filter(Must: [new HasIdCondition([Probe])]) });
            Assert.Equal(Probe, Assert.Single(byId).Id);
            AssertFinite(byId);
            foreach (bool exact in new[] { true, false })
            {
                var self = await c.SearchAsync(new SearchRequest(extreme, 60) { Exact = exact });
                AssertFinite(self);
                if (metric == Metric.InnerProduct)
                {
                    Assert.Contains(self, h => h.Id == Probe); // a short vector is not its own best inner product
                }
                else
                {
                    Assert.Equal(Probe, self[0].Id); // its own nearest neighbour: cosine 1, squared distance 0
                    Assert.Equal(metric == Metric.Cosine ? 1f : 0f, self[0].Score, 1e-3f);
                }
            }
        }
        // Every score of a normal query stays finite, and with room for every point the extreme one is among them.
        foreach (bool exact in new[] { true, false })
        {
            var all = await c.SearchAsync(new SearchRequest(normal[0], 60) { Exact = exact });
            AssertFinite(all);
            Assert.Equal(accepted, all.Any(h => h.Id == Probe));
        }
    }

    [Theory]
    [InlineData(Metric.InnerProduct, 1e19f)]
    [InlineData(Metric.L2, 1e19f)]
    [InlineData(Metric.Cosine, 3.4e38f)]
    [InlineData(Metric.Cosine, 0f)]
    public async Task ExtremeQuery_IsRefused(Metric metric, float value)
    {
        using var dir = new TempDirectory();
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        var c = await db.CreateCollectionAsync("c", new CollectionConfig(D, metric));
        await c.UpsertAsync([.. TestVectors.Gaussian(20, D, seed: 4).Select((v, i) => new PointInput((ulong)i, v))]);
        var query = Enumerable.Repeat(value, D).ToArray();
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => c.SearchAsync(new SearchRequest(query, 5)));
        Assert.Contains("query", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => c.SearchBatchAsync([new SearchRequest(query, 5)]));
    }

    private static void AssertFinite(IEnumerable<ScoredPoint> hits)
    {
        foreach (var hit in hits)
            Assert.True(float.IsFinite(hit.Score), $"point {hit.Id} scored {hit.Score}");
    }
}

using VectorDb.Tests.Support;
using VectorDb.Index.Rerank;
using VectorDb.Storage;

namespace VectorDb.Engine.Tests;

/// <summary>
/// The engine on a full disk (simulated at storage's space reservation, as ENOSPC from fallocate refuses it): the
/// in-memory index and payloads are updated only after storage accepted the batch, so a refused upsert or delete
/// (buffered or not) changes nothing any search, count or get can see, and writes resume when space returns.
/// </summary>
public sealed class DiskFullEngineTests
{
    private const int D = 16;

    [Fact]
    public async Task RefusedWrites_ChangeNothingVisible_AndWritesResumeWhenSpaceReturns()
    {
        using var dir = new TempDirectory();
        var budget = new DiskSpaceBudget(64L << 20);
        var options = new DatabaseOptions { Storage = new StorageOptions { DiskSpaceForTests = budget } };
        var vectors = TestVectors.Gaussian(400, D, seed: 9);
        await using var db = await VectorDatabase.OpenAsync(dir.Path, options);
        var c = await db.CreateCollectionAsync("c", new CollectionConfig(D, Metric.Cosine));
        await c.UpsertAsync([.. vectors.Take(200).Select((v, i) => new PointInput((ulong)i, v))]);

        budget.Available = 0;
        // Enough points that the batch needs more than the slack of the space allocated so far.
        var refused = Enumerable.Range(200, 200).SelectMany(i => Enumerable.Range(0, 40).Select(k => new PointInput((ulong)(i * 100 + k), vectors[i]))).ToList();
        foreach (bool wait in new[] { true, false })
        {
            await Assert.ThrowsAsync<DiskFullException>(() => c.UpsertAsync(refused, wait));
            Assert.Equal(200, c.Count);
            var exact = await c.SearchAsync(new SearchRequest(vectors[250], 5) { Exact = true, Filter = new Filter(Must: [new HasIdCondition([25_000])]) });
            Assert.Empty(exact);
            Assert.DoesNotContain(await c.SearchAsync(new SearchRequest(vectors[250], 10)), h => h.Id >= 200);
            await Assert.ThrowsAsync<PointNotFoundException>(() => c.GetAsync([25_000UL]));
        }

        budget.Available = 64L << 20; // space returns: the same open collection takes writes again
        await c.UpsertAsync([.. vectors.Skip(200).Select((v, i) => new PointInput((ulong)(200 + i), v))], wait: false);
        Assert.Equal(400, c.Count);
        Assert.Equal(350UL, (await c.SearchAsync(new SearchRequest(vectors[350], 1) { Exact = true }))[0].Id);
    }
}

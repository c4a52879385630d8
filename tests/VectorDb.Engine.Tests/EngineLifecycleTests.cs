using System.Text.Json.Nodes;
using VectorDb.Tests.Support;
using VectorDb.Index.Rerank;
using VectorDb.Storage;

namespace VectorDb.Engine.Tests;

/// <summary>Collections and points through the embedded API, on real files in temp directories.</summary>
public sealed class EngineLifecycleTests
{
    [Fact]
    public async Task CreateListGetDrop_AndReopenKeepsCollectionsAndPoints()
    {
        using var dir = new TempDirectory();
        var vectors = TestVectors.Gaussian(50, 6, seed: 1);
        await using (var db = await VectorDatabase.OpenAsync(dir.Path))
        {
            var a = await db.CreateCollectionAsync("a", new CollectionConfig(6, Metric.L2, Bits: 2, Originals: OriginalsFormat.Float16));
            await db.CreateCollectionAsync("b", new CollectionConfig(3));
            await a.UpsertAsync([.. vectors.Select((v, i) => new PointInput((ulong)i, v, new JsonObject { ["i"] = i }))]);
            await a.DeleteAsync([3UL, 4UL, 999UL]);
            Assert.Equal(["a", "b"], db.ListCollections());
            await db.DropCollectionAsync("b");
            Assert.Equal(["a"], db.ListCollections());
            await Assert.ThrowsAsync<CollectionNotFoundException>(() => db.DropCollectionAsync("b"));
        }
        await using (var db = await VectorDatabase.OpenAsync(dir.Path))
        {
            Assert.Equal(["a"], db.ListCollections());
            var a = db.GetCollection("a");
            Assert.Equal(new CollectionConfig(6, Metric.L2, Bits: 2, Originals: OriginalsFormat.Float16), a.Config);
            Assert.Equal(48, a.Count);
            var got = await a.GetAsync([7UL, 0UL], withPayload: true, withVector: true);
            Assert.Equal([7UL, 0UL], got.Select(p => p.Id));
            Assert.Equal(7, got[0].Payload!["i"]!.GetValue<int>());
            Assert.Equal(vectors[7].Select(x => (float)(Half)x), got[0].Vector!);
            var missing = await Assert.ThrowsAsync<PointNotFoundException>(() => a.GetAsync([3UL, 5UL, 4UL]));
            Assert.Equal([3UL, 4UL], missing.Missing);
            Assert.Contains("3, 4", missing.Message, StringComparison.Ordinal);
            var info = a.GetInfo();
            Assert.Equal(48, info.PointsCount);
            Assert.True(info.BytesOnDisk > 0);
        }
    }

    [Fact]
    public async Task Upsert_ReplacesVectorAndPayload_CountUnchanged()
    {
        using var dir = new TempDirectory();
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        var c = await db.CreateCollectionAsync("c", new CollectionConfig(3, Metric.InnerProduct));
        await c.UpsertAsync([new PointInput(1, new float[] { 1, 0, 0 }, new JsonObject { ["v"] = 1 }), new PointInput(2, new float[] { 0, 1, 0 })]);
        await c.UpsertAsync([new PointInput(1, new float[] { 0, 0, 1 }, new JsonObject { ["v"] = 2 })], wait: false);
        Assert.Equal(2, c.Count);
        var hits = await c.SearchAsync(new SearchRequest(new float[] { 0, 0, 1 }, 1) { WithPayload = true, WithVector = true });
        Assert.Equal(1UL, hits[0].Id);
        Assert.Equal(2, hits[0].Payload!["v"]!.GetValue<int>());
        Assert.Equal([0f, 0f, 1f], hits[0].Vector!);
        Assert.Equal(1, c.CountPoints(new VectorDb.Filter(Must: [new VectorDb.MatchCondition("v", VectorDb.FieldValue.Of(2L))])));
    }

    [Fact]
    public async Task Drop_WhileSearching_LaterCallsGetNotFound_FilesRemoved()
    {
        using var dir = new TempDirectory();
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        var c = await db.CreateCollectionAsync("gone", new CollectionConfig(4));
        await c.UpsertAsync([new PointInput(1, new float[] { 1, 2, 3, 4 })]);
        // The drop starts once the searcher has had 20 searches answered (an event, not a head start in time), so it
        // lands while searches are running on any machine.
        var searching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var searcher = Task.Run(async () =>
        {
            int ok = 0;
            while (true)
            {
                try
                {
                    var hits = await c.SearchAsync(new SearchRequest(new float[] { 1, 2, 3, 4 }, 1));
                    Assert.Equal(1UL, Assert.Single(hits).Id);
                    if (++ok == 20)
                    {
                        searching.SetResult();
                    }
                }
                catch (CollectionNotFoundException)
                {
                    return ok;
                }
            }
        });
        // The bounds below only guard against a hang (a search failing otherwise, a drop that never ends the searches).
        if (await Task.WhenAny(searching.Task, searcher).WaitAsync(TimeSpan.FromMinutes(2)) == searcher)
        {
            Assert.Fail($"the searcher stopped after {await searcher} searches, before the drop"); // rethrows its failure
        }
        await db.DropCollectionAsync("gone");
        Assert.True(await searcher.WaitAsync(TimeSpan.FromMinutes(2)) >= 20);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "gone")));
        Assert.Throws<CollectionNotFoundException>(() => db.GetCollection("gone"));
        await db.CreateCollectionAsync("gone", new CollectionConfig(2)); // the name is free again
    }
}

using System.Text.Json.Nodes;
using VectorDb.Tests.Support;
using VectorDb.Index.Rerank;

namespace VectorDb.Engine.Tests;

/// <summary>Every bad input gets a clear exception and leaves the collection exactly as it was.</summary>
public sealed class EngineErrorTests
{
    private static readonly DatabaseOptions s_small = new()
    {
        Limits = new EngineLimits { MaxBatchSize = 10, MaxK = 50, MaxPayloadBytes = 100, MaxDimension = 64 },
    };

    public static TheoryData<string> BadUpserts => [.. s_badUpserts.Keys];

    private static readonly Dictionary<string, (PointInput[] Batch, string Message)> s_badUpserts = new()
    {
        ["wrong dimension"] = ([new PointInput(9, new float[] { 1, 2, 3 })], "dimension 4"),
        ["NaN"] = ([new PointInput(9, new float[] { 1, float.NaN, 3, 4 })], "coordinate 1 is NaN"),
        ["Infinity"] = ([new PointInput(9, new float[] { 1, 2, 3, float.PositiveInfinity })], "finite"),
        ["empty batch"] = ([], "empty"),
        ["duplicate ids"] = ([new PointInput(9, new float[] { 1, 2, 3, 4 }), new PointInput(9, new float[] { 1, 2, 3, 4 })], "more than once"),
        ["batch too large"] = ([.. Enumerable.Range(100, 11).Select(i => new PointInput((ulong)i, new float[] { 1, 2, 3, 4 }))], "limit of 10"),
        ["payload too large"] = ([new PointInput(9, new float[] { 1, 2, 3, 4 }, new JsonObject { ["text"] = new string('x', 200) })], "limit of collection"),
        ["bad point late in batch"] = ([new PointInput(20, new float[] { 1, 2, 3, 4 }), new PointInput(21, new float[] { 1, 2 })], "point 21"),
    };

    [Theory]
    [MemberData(nameof(BadUpserts))]
    public async Task BadUpsert_Throws_AndChangesNothing(string name)
    {
        var (batch, message) = s_badUpserts[name];
        using var dir = new TempDirectory();
        await using var db = await VectorDatabase.OpenAsync(dir.Path, s_small);
        var c = await db.CreateCollectionAsync("c", new CollectionConfig(4, Metric.L2));
        await c.UpsertAsync([new PointInput(1, new float[] { 1, 0, 0, 0 }), new PointInput(2, new float[] { 0, 1, 0, 0 })]);
        var before = await SnapshotAsync(c);
        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => c.UpsertAsync(batch));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(c));
    }

    /// <summary>The index checks a vector once (<c>VectorIndex.CheckOriginal</c>) and the engine words its faults: the
    /// coordinate and the collection's float16 bound; the bound itself is kept, and reads back exactly.</summary>
    [Fact]
    public async Task Float16Collection_RefusesMagnitudesBeyondItsRange_AndKeepsTheBound()
    {
        using var dir = new TempDirectory();
        await using var db = await VectorDatabase.OpenAsync(dir.Path, s_small);
        var c = await db.CreateCollectionAsync("h", new CollectionConfig(4, Metric.L2, Originals: OriginalsFormat.Float16));
        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => c.UpsertAsync([new PointInput(1, new float[] { 1, 2, 65505f, 4 })]));
        Assert.Contains("coordinate 2 is 65505; collection 'h' keeps float16 originals, which hold magnitudes up to 65504.", e.Message, StringComparison.Ordinal);
        e = await Assert.ThrowsAnyAsync<ArgumentException>(() => c.UpsertAsync([new PointInput(1, new float[] { float.NaN, 2, 65505f, 4 })]));
        Assert.Contains("coordinate 0 is NaN; every coordinate must be a finite number.", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, c.Count);
        await c.UpsertAsync([new PointInput(2, new float[] { 0.1f, 65504f, -65504f, 3 })]);
        var point = Assert.Single(await c.GetAsync([2], withVector: true));
        Assert.Equal([(float)(Half)0.1f, 65504f, -65504f, 3f], point.Vector!);
    }

    [Fact]
    public async Task BadSearchesAndNames_Throw_WithMessagesThatSayWhatToFix()
    {
        using var dir = new TempDirectory();
        await using var db = await VectorDatabase.OpenAsync(dir.Path, s_small);
        var c = await db.CreateCollectionAsync("c", new CollectionConfig(4));
        await c.UpsertAsync([new PointInput(1, new float[] { 1, 0, 0, 0 })]);
        float[] q = [1, 0, 0, 0];
        Assert.Contains("at least 1", (await Assert.ThrowsAnyAsync<ArgumentException>(() => c.SearchAsync(new SearchRequest(q, 0)))).Message, StringComparison.Ordinal);
        Assert.Contains("limit of 50", (await Assert.ThrowsAnyAsync<ArgumentException>(() => c.SearchAsync(new SearchRequest(q, 51)))).Message, StringComparison.Ordinal);
        Assert.Contains("collection 'c' has dimension 4", (await Assert.ThrowsAnyAsync<ArgumentException>(() => c.SearchAsync(new SearchRequest(new float[] { 1, 2 }, 1)))).Message, StringComparison.Ordinal);
        Assert.Contains("NaN", (await Assert.ThrowsAnyAsync<ArgumentException>(() => c.SearchAsync(new SearchRequest(new float[] { 1, float.NaN, 0, 0 }, 1)))).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CollectionAlreadyExistsException>(() => db.CreateCollectionAsync("c", new CollectionConfig(4)));
        Assert.Contains("limit of 64", (await Assert.ThrowsAnyAsync<ArgumentException>(() => db.CreateCollectionAsync("big", new CollectionConfig(65)))).Message, StringComparison.Ordinal);
        Assert.Contains("bits", (await Assert.ThrowsAnyAsync<ArgumentException>(() => db.CreateCollectionAsync("b9", new CollectionConfig(4, Bits: 9)))).Message, StringComparison.Ordinal);
        Assert.Contains("invalid", (await Assert.ThrowsAnyAsync<ArgumentException>(() => db.CreateCollectionAsync("bad name!", new CollectionConfig(4)))).Message, StringComparison.Ordinal);
        Assert.Throws<CollectionNotFoundException>(() => db.GetCollection("nope"));
        Assert.Equal(["c"], db.ListCollections());
        Assert.Equal(1, c.Count);
    }

    [Fact]
    public async Task EmptyAndOverLongLists_AreRefused_WithTheirExactMessages()
    {
        using var dir = new TempDirectory();
        var options = new DatabaseOptions { Limits = new EngineLimits { MaxBatchSize = 2, MaxSearchBatch = 2, MaxIdsPerCall = 2 } };
        await using var db = await VectorDatabase.OpenAsync(dir.Path, options);
        var c = await db.CreateCollectionAsync("c", new CollectionConfig(4));
        var point = new PointInput(1, new float[] { 1, 0, 0, 0 });
        var search = new SearchRequest(new float[] { 1, 0, 0, 0 }, 1);
        PointId[] threeIds = [1, 2, 3];
        async Task<(string Type, string Message, string? Parameter)> Refusal(Func<Task> call)
        {
            var e = await Assert.ThrowsAnyAsync<ArgumentException>(call);
            return (e.GetType().Name, e.Message, e.ParamName);
        }
        Assert.Equal(("ArgumentException", "the batch is empty; give at least one point. (Parameter 'points')", "points"),
            await Refusal(() => c.UpsertAsync([])));
        Assert.Equal(("LimitExceededException", "3 points in one batch exceed the limit of 2; split the batch. (Parameter 'points')", "points"),
            await Refusal(() => c.UpsertAsync([point, point with { Id = 2 }, point with { Id = 3 }])));
        Assert.Equal(("ArgumentException", "the search batch is empty; give at least one search. (Parameter 'requests')", "requests"),
            await Refusal(() => c.SearchBatchAsync([])));
        Assert.Equal(("LimitExceededException", "3 searches in one batch exceed the limit of 2; split the batch. (Parameter 'requests')", "requests"),
            await Refusal(() => c.SearchBatchAsync([search, search, search])));
        Assert.Equal(("ArgumentException", "the id list is empty; give at least one id. (Parameter 'ids')", "ids"),
            await Refusal(() => c.GetAsync([])));
        Assert.Equal(("LimitExceededException", "3 ids in one get exceed the limit of 2; split the call. (Parameter 'ids')", "ids"),
            await Refusal(() => c.GetAsync(threeIds)));
        Assert.Equal(("ArgumentException", "the id list is empty; give at least one id to delete. (Parameter 'ids')", "ids"),
            await Refusal(() => c.DeleteAsync(Array.Empty<PointId>())));
        Assert.Equal(("LimitExceededException", "3 ids in one delete exceed the limit of 2; split the call. (Parameter 'ids')", "ids"),
            await Refusal(() => c.DeleteAsync(threeIds)));
        Assert.Equal(0, c.Count);
    }

    /// <summary>Everything observable: count, and every point's vector and payload.</summary>
    private static async Task<string> SnapshotAsync(VectorCollection c)
    {
        var ids = new List<PointId>();
        for (ulong id = 0; id < 200; id++)
        {
            try
            {
                await c.GetAsync([id]);
                ids.Add(id);
            }
            catch (PointNotFoundException)
            {
            }
        }
        var points = await c.GetAsync(ids, withPayload: true, withVector: true);
        return $"{c.Count}:" + string.Join(";", points.Select(p => $"{p.Id}={string.Join(",", p.Vector!)}|{p.Payload?.ToJsonString()}"));
    }
}

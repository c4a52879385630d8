using System.Text.Json.Nodes;
using VectorDb.Tests.Support;
using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Engine.Tests;

/// <summary>UUID and numeric ids side by side, checked against a plain dictionary model and a brute-force oracle,
/// across a reopen (the UUIDs live in storage keys).</summary>
public sealed class UuidIdTests
{
    private const int Dimension = 16;

    /// <summary>Seeded UUIDs (version-4 shaped, from SplitMix64).</summary>
    private static Guid[] Uuids(int n, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var uuids = new Guid[n];
        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < n; i++)
        {
            BitConverter.TryWriteBytes(bytes, rng.NextUInt64());
            BitConverter.TryWriteBytes(bytes[8..], rng.NextUInt64());
            uuids[i] = new Guid(bytes);
        }
        return uuids;
    }

    [Fact]
    public async Task MixedIds_AreServed_Filtered_Ordered_Deleted_AndSurviveReopen()
    {
        using var dir = new TempDirectory();
        var uuids = Uuids(300, 41);
        var vectors = TestVectors.Gaussian(600, Dimension, 42);
        // Ids 0..299 numeric, then the 300 UUIDs; numeric 1 and the UUID ...0001 are different points.
        var ids = Enumerable.Range(0, 300).Select(i => (PointId)(ulong)i).Concat(uuids.Select(u => (PointId)u)).ToList();
        var one = new Guid("00000000-0000-0000-0000-000000000001");
        ids[599] = one;
        var model = ids.Select((id, i) => (Id: id, Vector: vectors[i], Group: i % 3)).ToDictionary(p => p.Id);

        await using (var db = await VectorDatabase.OpenAsync(dir.Path))
        {
            var c = await db.CreateCollectionAsync("c", new CollectionConfig(Dimension, Metric.L2, Bits: 4));
            await c.UpsertAsync([.. model.Values.Select(p => new PointInput(p.Id, p.Vector, new JsonObject { ["group"] = p.Group }))]);
            await AssertMatchesModel(c, model);
            Assert.Equal(PointId.FromNumber(1), (await c.GetAsync([1UL]))[0].Id);
            Assert.Equal(PointId.FromUuid(one), (await c.GetAsync([one]))[0].Id);

            var deleted = new PointId[] { uuids[3], uuids[4], 7UL, one };
            Assert.Equal(4, (await c.DeleteAsync(deleted)).Affected);
            foreach (var id in deleted)
            {
                model.Remove(id);
            }
            await Assert.ThrowsAsync<PointNotFoundException>(() => c.GetAsync([uuids[3]]));
            // Overwriting a UUID keeps one point under that id.
            await c.UpsertAsync([new PointInput(uuids[5], vectors[0], new JsonObject { ["group"] = 9 })]);
            model[uuids[5]] = (uuids[5], vectors[0], 9);
            await AssertMatchesModel(c, model);
        }
        await using (var db = await VectorDatabase.OpenAsync(dir.Path))
        {
            await AssertMatchesModel(db.GetCollection("c"), model);
        }
    }

    [Fact]
    public async Task DuplicateUuidInBatch_IsRefused_NothingWritten()
    {
        using var dir = new TempDirectory();
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        var c = await db.CreateCollectionAsync("c", new CollectionConfig(Dimension, Metric.L2, Bits: 4));
        var uuid = Uuids(1, 5)[0];
        var v = TestVectors.Gaussian(2, Dimension, 6);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => c.UpsertAsync([new PointInput(uuid, v[0]), new PointInput(uuid, v[1])]));
        Assert.Contains(uuid.ToString("D"), error.Message);
        Assert.Equal(0, c.Count);
    }

    private static async Task AssertMatchesModel(VectorCollection c, Dictionary<PointId, (PointId Id, float[] Vector, int Group)> model)
    {
        Assert.Equal(model.Count, c.Count);
        // Scroll order: numbers ascending, then UUIDs by their canonical text; pages of 64 cover every id once.
        var expectedOrder = model.Keys.Where(id => !id.IsUuid).OrderBy(id => id.Number)
            .Concat(model.Keys.Where(id => id.IsUuid).OrderBy(id => id.ToString(), StringComparer.Ordinal)).ToList();
        var scrolled = new List<PointId>();
        PointId? from = null;
        while (true)
        {
            var page = c.ListIds(limit: 65, from: from);
            scrolled.AddRange(page.Take(64));
            if (page.Count < 65)
            {
                break;
            }
            from = page[64];
        }
        Assert.Equal(expectedOrder, scrolled);

        var got = await c.GetAsync([.. model.Keys], withPayload: true, withVector: true);
        foreach (var point in got)
        {
            Assert.Equal(model[point.Id].Vector, point.Vector);
            Assert.Equal(model[point.Id].Group, (int)point.Payload!["group"]!);
        }

        // has_id with UUIDs and numbers, combined with a payload match; exact search against brute force.
        var some = model.Keys.Where((_, i) => i % 5 == 0).ToList();
        var filter = new Filter(Must: [new HasIdCondition(some), new MatchCondition("group", FieldValue.Of(1L))]);
        var allowed = some.Where(id => model[id].Group == 1).ToHashSet();
        Assert.Equal(allowed.Count, c.CountPoints(filter));
        var query = TestVectors.Gaussian(1, Dimension, 77)[0];
        var hits = await c.SearchAsync(new SearchRequest(query, 10) { Exact = true, Filter = filter });
        var expected = allowed.OrderBy(id => TestVectors.Score(Metric.L2, query, model[id].Vector)).Take(10).ToList();
        Assert.Equal(expected, hits.Select(h => h.Id));
        var unfiltered = await c.SearchAsync(new SearchRequest(query, 10) { Exact = true });
        Assert.Equal(model.Keys.OrderBy(id => TestVectors.Score(Metric.L2, query, model[id].Vector)).Take(10), unfiltered.Select(h => h.Id));
        Assert.Equal([.. model.Keys.Where(allowed.Contains).Order()], c.ListIds(filter));
    }
}

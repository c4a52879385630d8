namespace VectorDb.Storage.Tests;

public sealed class StoredCollectionSmokeTests
{
    [Fact]
    public async Task Upsert_Reopen_ReturnsSameBytes()
    {
        using var dir = new TestDirectory("smoke");
        var manifest = TestData.SmallManifest();
        var points = Enumerable.Range(1, 100).Select(i => TestData.Point(manifest, (ulong)i, 1, i % 7, i % 3 == 0 ? $"k{i}" : null)).ToArray();
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using var c = store.CreateCollection("c1", manifest);
            await c.UpsertAsync(points);
            Assert.Equal(100, c.Count);
            var p = await c.GetAsync(5);
            Assert.NotNull(p);
            Assert.Equal(points[4].Codes.ToArray(), p.Codes);
        }
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using var c = store.OpenCollection("c1", manifest);
            Assert.Equal(100, c.Count);
            foreach (var w in points)
            {
                var p = await c.GetAsync(w.Id);
                Assert.NotNull(p);
                Assert.Equal(w.Codes.ToArray(), p.Codes);
                Assert.Equal(w.Original.ToArray(), p.Original);
                Assert.Equal(w.Payload.ToArray(), p.Payload);
                Assert.Equal(w.Key, p.Key);
            }
            Assert.True(c.TryResolveKey("k3", out ulong id3));
            Assert.Equal(3UL, id3);
        }
    }
}

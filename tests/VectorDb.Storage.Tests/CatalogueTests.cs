namespace VectorDb.Storage.Tests;

public sealed class CatalogueTests
{
    [Fact]
    public async Task CreateListDrop_DropFreesDiskSpace()
    {
        using var dir = new TestDirectory("catalogue");
        var manifest = TestData.SmallManifest();
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        await using (var a = store.CreateCollection("alpha", manifest))
            await a.UpsertAsync(Enumerable.Range(0, 500).Select(i => TestData.Point(manifest, (ulong)i, 1, 100)).ToArray());
        (await Task.FromResult(store.CreateCollection("beta", manifest))).Dispose();
        Assert.Equal(["alpha", "beta"], store.ListCollections());
        Assert.Throws<InvalidOperationException>(() => store.CreateCollection("alpha", manifest));

        long before = DirectorySize(dir.Path);
        store.DropCollection("alpha");
        Assert.Equal(["beta"], store.ListCollections());
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "alpha")));
        Assert.True(DirectorySize(dir.Path) < before);
        Assert.Throws<KeyNotFoundException>(() => store.OpenCollection("alpha"));
    }

    [Fact]
    public void OpenCollection_CannotBeDroppedOrOpenedTwice()
    {
        using var dir = new TestDirectory("catalogue-open");
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        using var c = store.CreateCollection("c", TestData.SmallManifest());
        Assert.Throws<InvalidOperationException>(() => store.DropCollection("c"));
        Assert.Throws<InvalidOperationException>(() => store.OpenCollection("c"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData(".hidden")]
    [InlineData("a b")]
    public void InvalidName_IsRejected(string name)
    {
        using var dir = new TestDirectory("catalogue-names");
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        Assert.Throws<ArgumentException>(() => store.CreateCollection(name, TestData.SmallManifest()));
        Assert.Empty(store.ListCollections());
    }

    [Fact]
    public void ReopenWithDifferentDimensionOrScheme_IsRefusedNamingTheField()
    {
        using var dir = new TestDirectory("catalogue-mismatch");
        var manifest = TestData.SmallManifest();
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        store.CreateCollection("c", manifest).Dispose();
        var dimension = Assert.Throws<CollectionMismatchException>(() => store.OpenCollection("c", manifest with { Dimension = 16 }));
        Assert.Equal("Dimension", dimension.Field);
        var scheme = Assert.Throws<CollectionMismatchException>(() => store.OpenCollection("c", manifest with { Scheme = "Eden" }));
        Assert.Equal("Scheme", scheme.Field);
        store.OpenCollection("c", manifest).Dispose();
        Assert.Equal(manifest.Dimension, store.ReadManifest("c").Dimension);
    }

    [Fact]
    public async Task BadPoint_IsRejectedAndChangesNothing()
    {
        using var dir = new TestDirectory("bad-input");
        var manifest = TestData.SmallManifest();
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        await using var c = store.CreateCollection("c", manifest);
        var good = TestData.Point(manifest, 1, 1, 10);
        var shortCodes = good with { Id = 2, Codes = new byte[3] };
        var hugePayload = good with { Id = 3, Payload = new byte[manifest.MaxPayloadBytes + 1] };
        await Assert.ThrowsAsync<ArgumentException>(() => c.UpsertAsync(new[] { good, shortCodes }));
        await Assert.ThrowsAsync<ArgumentException>(() => c.UpsertAsync(new[] { good, hugePayload }));
        Assert.Equal(0, c.Count);
        Assert.Null(await c.GetAsync(1));
    }

    private static long DirectorySize(string path) =>
        new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
}

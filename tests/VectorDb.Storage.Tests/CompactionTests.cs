namespace VectorDb.Storage.Tests;

public sealed class CompactionTests
{
    [Fact]
    public async Task Compaction_FreesSegmentsOfOverwrittenPoints_AndKeepsCurrentVersions()
    {
        using var dir = new TestDirectory("compaction");
        var manifest = TestData.SmallManifest() with { MaxPayloadBytes = 4096 };
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        await using var c = store.CreateCollection("c", manifest);
        // 20 rounds of overwriting 200 points with ~2 KB payloads: ~8 MB written, ~0.4 MB live.
        for (ulong version = 1; version <= 20; version++)
            await c.UpsertAsync(Enumerable.Range(0, 200).Select(i => TestData.Point(manifest, (ulong)i, version, 2000)).ToArray(), wait: false);
        await c.DeleteAsync(Enumerable.Range(100, 50).Select(i => (ulong)i).ToArray());

        var result = await c.CompactAsync();
        Assert.True(result.BytesOnDiskAfter < result.BytesOnDiskBefore / 4,
            $"compaction left {result.BytesOnDiskAfter} of {result.BytesOnDiskBefore} bytes");
        Assert.Equal(150, result.BlobEntriesMoved);
        await AssertCurrent(c, manifest);

        await c.DisposeAsync();
        // The truncated segment files are deleted after the commit round (in the background), at the latest when
        // the collection closes: the files themselves, not only the live-segment count, must have shrunk.
        long filesAfter = new DirectoryInfo(dir.Path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Assert.True(filesAfter < result.BytesOnDiskBefore / 2,
            $"{filesAfter} bytes of files remain after compaction and close; {result.BytesOnDiskBefore} before");
        await using var reopened = store.OpenCollection("c");
        await AssertCurrent(reopened, manifest);
    }

    private static async Task AssertCurrent(StoredCollection c, CollectionManifest manifest)
    {
        Assert.Equal(150, c.Count);
        for (int i = 0; i < 200; i++)
        {
            var read = await c.GetAsync((ulong)i);
            if (i is >= 100 and < 150)
            {
                Assert.Null(read);
                continue;
            }
            var expected = TestData.Point(manifest, (ulong)i, 20, 2000);
            Assert.NotNull(read);
            Assert.Equal(expected.Payload.ToArray(), read.Payload);
            Assert.Equal(expected.Original.ToArray(), read.Original);
        }
    }
}

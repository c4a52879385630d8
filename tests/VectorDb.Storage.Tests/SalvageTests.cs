namespace VectorDb.Storage.Tests;

public sealed class SalvageTests
{
    [Fact]
    public async Task Salvage_RecoversEveryIntactPoint_AndReportsTheDamage()
    {
        using var dir = new TestDirectory("salvage");
        var manifest = TestData.SmallManifest();
        var points = Enumerable.Range(0, 300).Select(i => TestData.Point(manifest, (ulong)i, 1, 32, $"p{i}")).ToArray();
        using (var store = VectorStore.Open(dir.Path, TestData.SmallOptions))
        await using (var c = store.CreateCollection("broken", manifest))
        {
            await c.UpsertAsync(points);
            await c.DeleteAsync(new ulong[] { 7, 8 });
        }
        // Codes entries take 64 log bytes each (4-byte header + 58..60 aligned), blob entries 112; both in id order.
        var codesPath = Path.Combine(dir.Path, "broken", StoredCollection.CodesLogName + ".0");
        var blobsPath = Path.Combine(dir.Path, "broken", StoredCollection.BlobLogName + ".0");
        FlipByte(codesPath, 64 + (64 * 100) + 20); // point 100's only codes entry
        FlipByte(blobsPath, 64 + (112 * 50) + 40); // point 50's blob

        using (var store = VectorStore.Open(dir.Path, TestData.SmallOptions))
        {
            Assert.Throws<StorageCorruptionException>(() => store.OpenCollection("broken").Dispose());
            var report = await CollectionSalvage.SalvageAsync(store, "broken", "restored");
            Assert.Equal(296, report.PointsRecovered);
            Assert.Equal([50UL], report.PointsLost);
            var range = Assert.Single(report.DamagedRanges);
            Assert.Equal(codesPath, range.File);
            Assert.Equal(64 + (64 * 100), range.Offset);
            Assert.False(report.UsedOlderCommitSlot);
        }

        using (var store = VectorStore.Open(dir.Path, TestData.SmallOptions))
        await using (var restored = store.OpenCollection("restored", manifest))
        {
            Assert.Equal(296, restored.Count);
            foreach (var written in points)
            {
                var read = await restored.GetAsync(written.Id);
                if (written.Id is 7 or 8 or 50 or 100)
                {
                    Assert.Null(read);
                    continue;
                }
                Assert.NotNull(read);
                Assert.Equal(written.Codes.ToArray(), read.Codes);
                Assert.Equal(written.Original.ToArray(), read.Original);
                Assert.Equal(written.Payload.ToArray(), read.Payload);
                Assert.Equal(written.Key, read.Key);
            }
        }
    }

    private static void FlipByte(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int b = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(b ^ 0x5A));
    }
}

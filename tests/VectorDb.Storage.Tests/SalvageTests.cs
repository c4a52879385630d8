namespace VectorDb.Storage.Tests;

public sealed class SalvageTests
{
    [Fact]
    public async Task Salvage_RecoversEveryIntactPoint_AndReportsTheDamage()
    {
        using var dir = new TestDirectory("salvage");
        var manifest = TestData.SmallManifest();
        var points = Enumerable.Range(0, 300).Select(i => TestData.Point(manifest, (ulong)i, 1, 32, $"p{i}")).ToArray();
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
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

        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
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

        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
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

    /// <summary>
    /// Damages one of the two commit slots of a collection whose slots both hold a commit (ping-pong: the newer
    /// holds sequence s, the older s - 1). Salvage must report that it fell back to the older commit exactly when
    /// the newer slot is the damaged one. Slot layout (CommitSlotFile): 4 KiB each, u64 sequence at byte 8, FASTER
    /// metadata from byte 24; a flip at byte 40 lands in the metadata and leaves the sequence readable. When the
    /// damaged slot's own sequence is unreadable (flip at byte 9), salvage cannot show that it was the older one
    /// and must not claim the newest commit was used.
    /// </summary>
    [Theory]
    [InlineData(true, 40, true)]   // newer slot damaged: the older commit was used
    [InlineData(false, 40, false)] // older slot damaged, newer intact: the newest commit was used
    [InlineData(false, 9, true)]   // older slot damaged in its sequence field: cannot be told apart from a newer one
    public async Task Salvage_ReportsWhetherItFellBackToTheOlderCommitSlot(bool damageNewer, int offset, bool reportsOlder)
    {
        using var dir = new TestDirectory("salvage-slots");
        var manifest = TestData.SmallManifest();
        var first = Enumerable.Range(0, 40).Select(i => TestData.Point(manifest, (ulong)i, 1, 16)).ToArray();
        var second = Enumerable.Range(40, 40).Select(i => TestData.Point(manifest, (ulong)i, 1, 16)).ToArray();
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        await using (var c = store.CreateCollection("c", manifest))
        {
            await c.UpsertAsync(first);
            await c.UpsertAsync(second); // a later commit round: the slots now hold two different commits
        }
        var slots = Path.Combine(dir.Path, "c", Io.CommitSlotFile.FileName);
        long[] sequences = ReadSlotSequences(slots);
        Assert.Equal(1, Math.Abs(sequences[0] - sequences[1])); // precondition: both slots hold a commit
        int newer = sequences[0] > sequences[1] ? 0 : 1;
        FlipByte(slots, (damageNewer ? newer : 1 - newer) * 4096L + offset);

        using var damaged = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        Assert.Throws<StorageCorruptionException>(() => damaged.OpenCollection("c").Dispose());
        var report = await CollectionSalvage.SalvageAsync(damaged, "c", "restored");
        Assert.Equal(reportsOlder, report.UsedOlderCommitSlot);
        Assert.Equal(1, report.DamagedCommitSlots);
        Assert.Empty(report.DamagedRanges);
        if (!damageNewer)
            Assert.Equal(first.Length + second.Length, report.PointsRecovered); // the newest commit was used
        else
            Assert.InRange(report.PointsRecovered, first.Length, first.Length + second.Length - 1); // an older one
    }

    [Fact]
    public async Task Salvage_ReportsIntactSlotsAsNotFallingBack()
    {
        using var dir = new TestDirectory("salvage-slots-intact");
        var manifest = TestData.SmallManifest();
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        await using (var c = store.CreateCollection("c", manifest))
        {
            await c.UpsertAsync(Enumerable.Range(0, 40).Select(i => TestData.Point(manifest, (ulong)i, 1, 16)).ToArray());
            await c.UpsertAsync(Enumerable.Range(40, 40).Select(i => TestData.Point(manifest, (ulong)i, 1, 16)).ToArray());
        }
        using var intact = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        var report = await CollectionSalvage.SalvageAsync(intact, "c", "restored");
        Assert.False(report.UsedOlderCommitSlot);
        Assert.Equal(0, report.DamagedCommitSlots);
        Assert.Equal(80, report.PointsRecovered);
    }

    private static long[] ReadSlotSequences(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return [BitConverter.ToInt64(bytes, 8), BitConverter.ToInt64(bytes, 4096 + 8)];
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

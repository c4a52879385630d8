namespace VectorDb.Storage.Tests;

/// <summary>
/// <see cref="StoredCollection.ReadOriginals"/> (the synchronous batched read behind re-ranking from disk) against a
/// dictionary model of the latest write per id: entries on flushed pages (1 MiB log memory, so most are read from
/// the segment files), uncommitted buffered writes, overwrites, deletes, after a compaction moved everything and
/// deleted the old segments, and after a reopen.
/// </summary>
public sealed class ReadOriginalsTests
{
    [Theory]
    [InlineData(OriginalsFormat.Float32)]
    [InlineData(OriginalsFormat.Float16)]
    public async Task ReadOriginals_EqualsLatestWrite_ThroughOverwriteDeleteCompactionAndReopen(OriginalsFormat format)
    {
        using var dir = new TestDirectory("read-originals");
        var manifest = TestData.SmallManifest(format) with { Dimension = 256, CodeBytesPerVector = 64 };
        var model = new Dictionary<ulong, byte[]>();
        const int points = 3000; // ~3 MB of originals (float32): three times the 1 MiB in-memory part of the blob log

        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using var c = store.CreateCollection("c", manifest);
            await UpsertAsync(c, model, manifest, Enumerable.Range(0, points).Select(i => (ulong)i), version: 1, wait: true);
            AssertReadsEqualModel(c, model, points + 10);

            // Overwrite every third point (old entries become garbage), delete every seventh.
            await UpsertAsync(c, model, manifest, Enumerable.Range(0, points).Where(i => i % 3 == 0).Select(i => (ulong)i), version: 2, wait: true);
            ulong[] deleted = [.. Enumerable.Range(0, points).Where(i => i % 7 == 0).Select(i => (ulong)i)];
            await c.DeleteAsync(deleted);
            foreach (ulong id in deleted)
                model.Remove(id);
            AssertReadsEqualModel(c, model, points + 10);

            // Buffered writes not yet committed: the read waits for the commit round, then returns them.
            await UpsertAsync(c, model, manifest, Enumerable.Range(0, 50).Select(i => (ulong)(i * 11)), version: 3, wait: false);
            AssertReadsEqualModel(c, model, points + 10);

            var compaction = await c.CompactAsync();
            Assert.True(compaction.BlobEntriesMoved > 0);
            AssertReadsEqualModel(c, model, points + 10);
            Assert.Equal(0, c.OriginalReadFallbacks);
        }
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using var c = store.OpenCollection("c", manifest);
            AssertReadsEqualModel(c, model, points + 10);
            // Nothing moved while these reads ran: every entry came straight from its recorded location.
            Assert.Equal(0, c.OriginalReadFallbacks);
        }
    }

    [Fact]
    public async Task ReadOriginals_RejectsShortBuffers()
    {
        using var dir = new TestDirectory("read-originals-args");
        var manifest = TestData.SmallManifest();
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        await using var c = store.CreateCollection("c", manifest);
        var e = Assert.Throws<ArgumentException>(() => c.ReadOriginals([1, 2], new byte[manifest.OriginalBytesPerVector], new bool[2]));
        Assert.Contains("destination bytes", e.Message, StringComparison.Ordinal);
    }

    private static async Task UpsertAsync(StoredCollection c, Dictionary<ulong, byte[]> model, CollectionManifest manifest,
        IEnumerable<ulong> ids, ulong version, bool wait)
    {
        foreach (var batch in ids.Chunk(256))
        {
            var writes = batch.Select(id => TestData.Point(manifest, id, version, payloadBytes: (int)(id % 5))).ToArray();
            await c.UpsertAsync(writes, wait);
            foreach (var w in writes)
                model[w.Id] = w.Original.ToArray();
        }
    }

    /// <summary>Reads ids 0..span-1 (present and absent ones mixed, in a shuffled order, in batches of 64 as
    /// re-ranking does) and compares every found flag and byte with the model.</summary>
    private static void AssertReadsEqualModel(StoredCollection c, Dictionary<ulong, byte[]> model, int span)
    {
        int width = c.Manifest.OriginalBytesPerVector;
        var ids = Enumerable.Range(0, span).Select(i => (ulong)((i * 7919L) % span)).ToArray(); // a fixed permutation
        var destination = new byte[64 * width];
        var found = new bool[64];
        foreach (var batch in ids.Chunk(64))
        {
            int hits = c.ReadOriginals(batch, destination, found);
            Assert.Equal(batch.Count(model.ContainsKey), hits);
            for (int i = 0; i < batch.Length; i++)
            {
                Assert.Equal(model.ContainsKey(batch[i]), found[i]);
                if (found[i])
                    Assert.Equal(model[batch[i]], destination.AsSpan(i * width, width).ToArray());
            }
        }
    }
}

/// <summary>Reads while a compaction moves every live point (in committed chunks; reads of a moved point that is not
/// committed yet are served from its old location): every get and batched original read must return exactly the
/// latest write.</summary>
public sealed class ReadsDuringCompactionTests
{
    [Fact]
    public async Task GetAndReadOriginals_DuringCompaction_ReturnLatestWrite()
    {
        using var dir = new TestDirectory("reads-during-compaction");
        var manifest = TestData.SmallManifest() with { Dimension = 512, CodeBytesPerVector = 64 };
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        await using var c = store.CreateCollection("c", manifest);
        const int points = 6000; // 12 MB of originals: three compaction chunks
        var model = new Dictionary<ulong, PointWrite>();
        for (ulong version = 1; version <= 2; version++)
        {
            foreach (var batch in Enumerable.Range(0, points).Where(i => version == 1 || i % 2 == 0).Chunk(256))
            {
                var writes = batch.Select(i => TestData.Point(manifest, (ulong)i, version, payloadBytes: 3)).ToArray();
                await c.UpsertAsync(writes, wait: false);
                foreach (var w in writes)
                    model[w.Id] = w;
            }
        }
        await c.FlushAsync();

        var compaction = c.CompactAsync();
        var rng = new VectorDb.Index.Common.SplitMix64(3);
        int width = manifest.OriginalBytesPerVector, reads = 0;
        var ids = new ulong[16];
        var destination = new byte[16 * width];
        var found = new bool[16];
        while (!compaction.IsCompleted || reads == 0)
        {
            for (int i = 0; i < ids.Length; i++)
                ids[i] = rng.NextUInt64() % points;
            Assert.Equal(ids.Length, c.ReadOriginals(ids, destination, found));
            for (int i = 0; i < ids.Length; i++)
                Assert.Equal(model[ids[i]].Original.ToArray(), destination.AsSpan(i * width, width).ToArray());
            var point = await c.GetAsync(ids[0]);
            Assert.NotNull(point);
            Assert.Equal(model[ids[0]].Codes.ToArray(), point.Codes);
            Assert.Equal(model[ids[0]].Payload.ToArray(), point.Payload);
            reads++;
        }
        var result = await compaction;
        Assert.Equal(points, result.BlobEntriesMoved);
    }
}

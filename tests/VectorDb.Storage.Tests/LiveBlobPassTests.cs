namespace VectorDb.Storage.Tests;

/// <summary>
/// <see cref="StoredCollection.ForEachLiveBlobAsync"/> (the sequential blob-log pass behind engine open) against a
/// model of what was written: the latest version of every point that has a blob (an original or a payload), each once,
/// in blob-log order (modelled as the order of last writes: one writer, batches appended in order, and compaction
/// re-appends live blobs in their existing order), through overwrites, deletes, buffered writes, compaction and
/// reopen; and damaged entries, reported exactly as <see cref="StoredCollection.GetAsync"/> reports them.
/// </summary>
public sealed class LiveBlobPassTests
{
    private sealed record Visit(ulong Id, byte[] Original, byte[] Payload);

    /// <summary>The model: per live id its last write and the sequence number of that write (blob-log order).</summary>
    private sealed class Model
    {
        private long _sequence;

        public Dictionary<ulong, (PointWrite Point, long Sequence)> Points { get; } = [];

        public void Write(PointWrite point) => Points[point.Id] = (point, _sequence++);

        public Visit[] ExpectedPass() =>
        [
            .. Points.Values
                .Where(p => !p.Point.Original.IsEmpty || !p.Point.Payload.IsEmpty)
                .OrderBy(p => p.Sequence)
                .Select(p => new Visit(p.Point.Id, p.Point.Original.ToArray(), p.Point.Payload.ToArray())),
        ];
    }

    [Theory]
    [InlineData(OriginalsFormat.Float32)]
    [InlineData(OriginalsFormat.Float16)]
    [InlineData(OriginalsFormat.None)] // payload only; points with an empty payload have no blob
    public async Task Pass_DeliversCurrentVersions_InBlobLogOrder_ThroughOverwriteDeleteCompactionAndReopen(OriginalsFormat format)
    {
        using var dir = new TestDirectory("live-blobs");
        // 256 dimensions: ~1.3 KB per float32 entry, so 3000 points fill several 1 MiB segments and most entries are
        // read from the segment files, with windows that cross segment boundaries.
        var manifest = TestData.SmallManifest(format) with { Dimension = 256, CodeBytesPerVector = 64 };
        var model = new Model();
        const int points = 3000;
        // Payload sizes 0..255 from the id and version; every 4th point has none.
        PointWrite Point(ulong id, ulong version) =>
            TestData.Point(manifest, id, version, id % 4 == 0 ? 0 : (int)((id * 37 + version) % 256));

        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using var c = store.CreateCollection("c", manifest);
            await UpsertAsync(c, model, Enumerable.Range(0, points).Select(i => Point((ulong)i, 1)), wait: true);
            await AssertPassEqualsModel(c, model);

            // A contiguous run of overwrites leaves hundreds of KB of garbage (skipped, not read) between live
            // entries; every third point is overwritten as well, every seventh deleted.
            await UpsertAsync(c, model, Enumerable.Range(500, 700).Select(i => Point((ulong)i, 2)), wait: true);
            await UpsertAsync(c, model, Enumerable.Range(0, points).Where(i => i % 3 == 0).Select(i => Point((ulong)i, 3)), wait: true);
            ulong[] deleted = [.. Enumerable.Range(0, points).Where(i => i % 7 == 0).Select(i => (ulong)i)];
            await c.DeleteAsync(deleted);
            foreach (ulong id in deleted)
                model.Points.Remove(id);
            await AssertPassEqualsModel(c, model);

            // Buffered writes not committed yet: the pass commits them first and delivers them.
            await UpsertAsync(c, model, Enumerable.Range(0, 60).Select(i => Point((ulong)(i * 11), 4)), wait: false);
            await AssertPassEqualsModel(c, model);

            var compaction = await c.CompactAsync();
            Assert.True(format == OriginalsFormat.None || compaction.BlobEntriesMoved > 0);
            await AssertPassEqualsModel(c, model);
            Assert.Equal(0, c.LiveBlobReadFallbacks);
        }
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using var c = store.OpenCollection("c", manifest);
            await AssertPassEqualsModel(c, model);
            Assert.Equal(0, c.LiveBlobReadFallbacks); // every entry came from the sequential reads
        }
    }

    [Fact]
    public async Task DamagedLiveBlob_IsReportedAsGetReportsIt_AfterEveryIntactPointWasVisited()
    {
        using var dir = new TestDirectory("live-blobs-damaged");
        var (manifest, written) = await CreateCorruptionLayout(dir.Path);
        // As in CorruptionTests: entries take 112 log bytes each from address 64, in id order; this is in the body
        // of point 50's entry.
        CorruptionTestsFlip(Path.Combine(dir.Path, "c", StoredCollection.BlobLogName + ".0"), 64 + (112 * 50) + 40);

        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        await using var c = store.OpenCollection("c", manifest);
        var fromGet = await Assert.ThrowsAsync<StorageCorruptionException>(() => c.GetAsync(50));
        var visits = new List<Visit>();
        var fromPass = await Assert.ThrowsAsync<StorageCorruptionException>(() => c.ForEachLiveBlobAsync(Collect(visits)));

        Assert.Equal(fromGet.FilePath, fromPass.FilePath);
        Assert.Equal(fromGet.Offset, fromPass.Offset);
        Assert.Equal(fromGet.Message, fromPass.Message);
        Assert.Contains("point 50", fromPass.Message);
        var expected = written.Where(p => p.Id is not (7 or 8 or 50)).Select(p => new Visit(p.Id, p.Original.ToArray(), p.Payload.ToArray()));
        AssertVisits(expected, visits);
        Assert.Equal(1, c.LiveBlobReadFallbacks);
    }

    [Fact]
    public async Task DamagedFramingOfLiveBlob_IsReportedAsGetReportsIt()
    {
        using var dir = new TestDirectory("live-blobs-framing");
        var (manifest, _) = await CreateCorruptionLayout(dir.Path);
        // The 4-byte FASTER length header of point 60's entry.
        CorruptionTestsFlip(Path.Combine(dir.Path, "c", StoredCollection.BlobLogName + ".0"), 64 + (112 * 60) + 1);

        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        await using var c = store.OpenCollection("c", manifest);
        var fromGet = await Assert.ThrowsAsync<StorageCorruptionException>(() => c.GetAsync(60));
        var visits = new List<Visit>();
        var fromPass = await Assert.ThrowsAsync<StorageCorruptionException>(() => c.ForEachLiveBlobAsync(Collect(visits)));
        Assert.Equal((fromGet.FilePath, fromGet.Offset, fromGet.Message), (fromPass.FilePath, fromPass.Offset, fromPass.Message));
        Assert.Equal(CorruptionLayoutPoints - 3, visits.Count); // all but the deleted 7, 8 and the damaged 60
        Assert.DoesNotContain(visits, v => v.Id == 60);
    }

    [Fact]
    public async Task DamagedSupersededBlob_IsNeitherReadNorReported()
    {
        using var dir = new TestDirectory("live-blobs-garbage");
        var (manifest, written) = await CreateCorruptionLayout(dir.Path);
        var newer = TestData.Point(manifest, 50, 2, 32, "p50");
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using var c = store.OpenCollection("c", manifest);
            await c.UpsertAsync(new[] { newer });
        }
        // The old version of point 50 (superseded: garbage) is damaged; the current one sits at the tail.
        CorruptionTestsFlip(Path.Combine(dir.Path, "c", StoredCollection.BlobLogName + ".0"), 64 + (112 * 50) + 40);

        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using var c = store.OpenCollection("c", manifest);
            var visits = new List<Visit>();
            await c.ForEachLiveBlobAsync(Collect(visits));
            var expected = written.Where(p => p.Id is not (7 or 8 or 50)).Append(newer)
                .Select(p => new Visit(p.Id, p.Original.ToArray(), p.Payload.ToArray()));
            AssertVisits(expected, visits);
            Assert.Equal(0, c.LiveBlobReadFallbacks);
        }
    }

    [Fact]
    public async Task Pass_RejectsNullVisitor_AndAClosedCollection()
    {
        using var dir = new TestDirectory("live-blobs-args");
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        var c = store.CreateCollection("c", TestData.SmallManifest());
        await Assert.ThrowsAsync<ArgumentNullException>(() => c.ForEachLiveBlobAsync(null!));
        await c.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => c.ForEachLiveBlobAsync((_, _, _) => { }));
    }

    private const int CorruptionLayoutPoints = 300;

    /// <summary>The collection of <see cref="CorruptionTests"/>: 300 points with 32-byte payloads and keys, written
    /// in one batch (so blob entries lie in id order, 112 log bytes each), then 7 and 8 deleted.</summary>
    private static async Task<(CollectionManifest Manifest, PointWrite[] Points)> CreateCorruptionLayout(string root)
    {
        var manifest = TestData.SmallManifest();
        var points = Enumerable.Range(0, CorruptionLayoutPoints).Select(i => TestData.Point(manifest, (ulong)i, 1, 32, $"p{i}")).ToArray();
        using var store = CollectionCatalogue.Open(root, TestData.SmallOptions);
        await using var collection = store.CreateCollection("c", manifest);
        await collection.UpsertAsync(points);
        await collection.DeleteAsync(new ulong[] { 7, 8 });
        return (manifest, points);
    }

    private static void CorruptionTestsFlip(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int b = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(b ^ 0x5A));
    }

    private static async Task UpsertAsync(StoredCollection c, Model model, IEnumerable<PointWrite> points, bool wait)
    {
        foreach (var batch in points.Chunk(250))
        {
            await c.UpsertAsync(batch, wait);
            foreach (var p in batch)
                model.Write(p);
        }
    }

    private static LiveBlobVisitor Collect(List<Visit> visits) =>
        (id, original, payload) => visits.Add(new Visit(id, original.ToArray(), payload.ToArray()));

    private static async Task AssertPassEqualsModel(StoredCollection c, Model model)
    {
        var visits = new List<Visit>();
        await c.ForEachLiveBlobAsync(Collect(visits));
        AssertVisits(model.ExpectedPass(), visits);
    }

    /// <summary>Same points in the same order, byte for byte.</summary>
    private static void AssertVisits(IEnumerable<Visit> expected, List<Visit> actual)
    {
        var want = expected.ToArray();
        Assert.Equal(want.Select(v => v.Id), actual.Select(v => v.Id));
        for (int i = 0; i < want.Length; i++)
        {
            Assert.Equal(want[i].Original, actual[i].Original);
            Assert.Equal(want[i].Payload, actual[i].Payload);
        }
    }
}

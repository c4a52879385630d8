using VectorDb.Storage.Io;

namespace VectorDb.Storage.Tests;

/// <summary>
/// Damages real files of a closed collection (flipped bytes, truncation) and checks that opening or reading
/// reports <see cref="StorageCorruptionException"/> naming the damaged file, and that no wrong bytes are ever
/// returned: every point that is returned equals what was written.
/// </summary>
public sealed class CorruptionTests
{
    private const int Points = 300;

    private static async Task<(CollectionManifest Manifest, PointWrite[] Points)> CreateCollection(string root)
    {
        var manifest = TestData.SmallManifest();
        var points = Enumerable.Range(0, Points).Select(i => TestData.Point(manifest, (ulong)i, 1, 32, $"p{i}")).ToArray();
        using var store = CollectionCatalogue.Open(root, TestData.SmallOptions);
        await using var collection = store.CreateCollection("c", manifest);
        await collection.UpsertAsync(points);
        await collection.DeleteAsync(new ulong[] { 7, 8 });
        return (manifest, points);
    }

    private static string CollectionFile(string root, string name) => Path.Combine(root, "c", name);

    private static void FlipByte(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int b = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(b ^ 0x5A));
    }

    private static StorageCorruptionException OpenFails(string root)
    {
        using var store = CollectionCatalogue.Open(root, TestData.SmallOptions);
        return Assert.Throws<StorageCorruptionException>(() => store.OpenCollection("c").Dispose());
    }

    [Theory]
    [InlineData(0)]     // magic
    [InlineData(13)]    // length field
    [InlineData(40)]    // JSON body
    [InlineData(-1)]    // checksum itself
    public async Task FlippedManifestByte_RefusesToOpen(long offset)
    {
        using var dir = new TestDirectory("corrupt-manifest");
        await CreateCollection(dir.Path);
        var path = CollectionFile(dir.Path, ManifestFile.FileName);
        FlipByte(path, offset >= 0 ? offset : new FileInfo(path).Length + offset);
        var error = OpenFails(dir.Path);
        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public async Task TruncatedManifest_RefusesToOpen()
    {
        using var dir = new TestDirectory("corrupt-manifest-trunc");
        await CreateCollection(dir.Path);
        var path = CollectionFile(dir.Path, ManifestFile.FileName);
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(stream.Length / 2);
        Assert.Equal(path, OpenFails(dir.Path).FilePath);
    }

    [Fact]
    public async Task FlippedCommitSlotByte_RefusesToOpen()
    {
        using var dir = new TestDirectory("corrupt-slot");
        await CreateCollection(dir.Path);
        var path = CollectionFile(dir.Path, CommitSlotFile.FileName);
        // Damage both slots' sequence fields; whichever is current, the open must refuse rather than fall back.
        FlipByte(path, 9);
        FlipByte(path, 4096 + 9);
        var error = OpenFails(dir.Path);
        Assert.Equal(path, error.FilePath);
    }

    /// <summary>
    /// Flips one byte at 40 seeded positions of the committed codes log. Each flip must either refuse the open with
    /// the codes log named, or (when it hit one of the up-to-3 alignment bytes FASTER puts after an entry, which
    /// carry no data) leave every point readable with exactly its written bytes. Alignment bytes are at most
    /// 3 of every ~64 bytes here, so more than a quarter of undetected flips would mean real damage went unseen.
    /// </summary>
    [Fact]
    public async Task FlippedBytesAnywhereInCodesLog_RefuseToOpenOrChangeNothing()
    {
        using var dir = new TestDirectory("corrupt-codes");
        var (manifest, points) = await CreateCollection(dir.Path);
        var path = CollectionFile(dir.Path, StoredCollection.CodesLogName + ".0");
        var pristine = File.ReadAllBytes(path);
        long committedEnd = CommittedCodesBytes(dir.Path);
        var rng = new SeededRandom(17);
        int undetected = 0;
        const int Trials = 40;
        for (int trial = 0; trial < Trials; trial++)
        {
            long offset = 64 + rng.NextInt((int)(committedEnd - 64)); // FASTER's first entry starts at address 64
            File.WriteAllBytes(path, pristine);
            FlipByte(path, offset);
            using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
            StoredCollection collection;
            try
            {
                collection = store.OpenCollection("c");
            }
            catch (StorageCorruptionException error)
            {
                Assert.Equal(path, error.FilePath);
                Assert.InRange(error.Offset, 64, offset);
                continue;
            }
            undetected++;
            await using (collection)
            {
                Assert.Equal(Points - 2, collection.Count);
                foreach (var written in points.Where(p => p.Id is not (7 or 8)))
                {
                    var read = await collection.GetAsync(written.Id);
                    Assert.NotNull(read);
                    Assert.Equal(written.Codes.ToArray(), read.Codes);
                    Assert.Equal(written.Original.ToArray(), read.Original);
                    Assert.Equal(written.Key, read.Key);
                }
            }
        }
        Assert.True(undetected <= Trials / 4, $"{undetected} of {Trials} flips went unnoticed");
    }

    [Fact]
    public async Task TruncatedCodesLog_RefusesToOpen()
    {
        using var dir = new TestDirectory("corrupt-codes-trunc");
        await CreateCollection(dir.Path);
        var path = CollectionFile(dir.Path, StoredCollection.CodesLogName + ".0");
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(stream.Length - 700);
        Assert.Equal(path, OpenFails(dir.Path).FilePath);
    }

    [Fact]
    public async Task TruncatedBlobLog_RefusesToOpen()
    {
        using var dir = new TestDirectory("corrupt-blobs-trunc");
        await CreateCollection(dir.Path);
        var path = CollectionFile(dir.Path, StoredCollection.BlobLogName + ".0");
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(stream.Length / 3);
        Assert.Equal(path, OpenFails(dir.Path).FilePath);
    }

    [Fact]
    public async Task FlippedBlobByte_ReportsThatPointAndServesOthersExactly()
    {
        using var dir = new TestDirectory("corrupt-blobs");
        var (manifest, points) = await CreateCollection(dir.Path);
        var path = CollectionFile(dir.Path, StoredCollection.BlobLogName + ".0");
        // Blob entries of this collection take 112 log bytes each (4-byte header + 106..108 bytes aligned to 4) and
        // were appended in id order, so this lands in the body of point 50's entry.
        FlipByte(path, 64 + (112 * 50) + 40);

        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        await using var collection = store.OpenCollection("c", manifest); // recovery reads only the codes log
        int damaged = 0;
        foreach (var written in points)
        {
            if (written.Id is 7 or 8)
            {
                Assert.Null(await collection.GetAsync(written.Id));
                continue;
            }
            try
            {
                var read = await collection.GetAsync(written.Id);
                Assert.NotNull(read);
                Assert.Equal(written.Original.ToArray(), read.Original);
                Assert.Equal(written.Payload.ToArray(), read.Payload);
                Assert.Equal(written.Codes.ToArray(), read.Codes);
            }
            catch (StorageCorruptionException e)
            {
                Assert.Equal(path, e.FilePath);
                damaged++;
            }
        }
        Assert.Equal(1, damaged);
    }

    [Fact]
    public async Task UnknownRecordLayoutVersion_IsRefusedNotGuessed()
    {
        using var dir = new TestDirectory("layout-version");
        var (manifest, _) = await CreateCollection(dir.Path);
        var stored = ManifestFile.Read(Path.Combine(dir.Path, "c")); // with its identity
        ManifestFile.Write(Path.Combine(dir.Path, "c"), stored with { RecordLayoutVersion = 3 });
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        var error = Assert.Throws<NotSupportedException>(() => store.OpenCollection("c").Dispose());
        Assert.Contains("record layout version 3", error.Message);
    }

    private static long CommittedCodesBytes(string root)
    {
        using var store = CollectionCatalogue.Open(root, TestData.SmallOptions);
        using var collection = store.OpenCollection("c");
        return 64 + collection.GetStatistics().CodesLogBytes;
    }
}

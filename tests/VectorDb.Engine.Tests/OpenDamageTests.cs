using System.Text.Json.Nodes;
using VectorDb.Tests.Support;
using VectorDb.Index.Rerank;
using VectorDb.Storage;

namespace VectorDb.Engine.Tests;

/// <summary>
/// A damaged blob entry of a live point makes the engine set the collection aside as damaged, with the error a
/// storage get of that point gives (the rebuild reads blobs by a sequential pass, not per point, and must not lose that report), with
/// originals in memory and on disk.
/// </summary>
public sealed class OpenDamageTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DamagedBlobOfALivePoint_FailsOpen_AsAGetOfThatPointFails(bool originalsOnDisk)
    {
        using var dir = new TempDirectory();
        var options = new DatabaseOptions { OriginalsMemoryBytes = originalsOnDisk ? 0 : 1L << 30 };
        var vectors = TestVectors.Gaussian(50, 8, seed: 5);
        await using (var db = await VectorDatabase.OpenAsync(dir.Path, options))
        {
            var c = await db.CreateCollectionAsync("c", new CollectionConfig(8, Metric.L2, Bits: 4, Originals: OriginalsFormat.Float32));
            await c.UpsertAsync([.. vectors.Select((v, i) => new PointInput((ulong)i, v, new JsonObject { ["i"] = i }))]);
        }
        // One batch: point 0's blob entry is the first in the log (FASTER's log starts at address 64, then a 4-byte
        // length); this byte lies in its codes.
        string blobs = Path.Combine(dir.Path, "c", "blobs.log.0");
        FlipByte(blobs, 64 + 4 + 30);

        // The database opens; the collection is set aside as damaged, with the very error the rebuild hit.
        StorageCorruptionException fromOpen;
        await using (var db = await VectorDatabase.OpenAsync(dir.Path, options))
        {
            var damaged = Assert.Throws<CollectionDamagedException>(() => db.GetCollection("c"));
            fromOpen = Assert.IsType<StorageCorruptionException>(damaged.InnerException);
            Assert.Same(fromOpen, db.DamagedCollections["c"].InnerException);
        }

        using var store = CollectionCatalogue.Open(dir.Path);
        await using var stored = store.OpenCollection("c");
        var fromGet = await Assert.ThrowsAsync<StorageCorruptionException>(() => stored.GetAsync(0));
        Assert.Equal((fromGet.FilePath, fromGet.Offset, fromGet.Message), (fromOpen.FilePath, fromOpen.Offset, fromOpen.Message));
        Assert.Equal(Path.GetFullPath(blobs), Path.GetFullPath(fromOpen.FilePath));
        Assert.Contains("point 0 ", fromOpen.Message, StringComparison.Ordinal);
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

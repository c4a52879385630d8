using VectorDb.Storage.Records;

namespace VectorDb.Storage.Tests;

/// <summary>The one blob-entry verification used by reads, batched original reads and salvage.</summary>
public sealed class BlobEntryTests
{
    private static (byte[] Entry, uint Crc) Write(ulong id, byte fill)
    {
        var original = Enumerable.Repeat(fill, 32).ToArray();
        var entry = new byte[BlobEntry.Size(12, original.Length, 5, 3)];
        uint crc = new BlobEntry
        {
            PointId = id,
            Codes = new byte[12],
            Original = original,
            Payload = new byte[5],
            KeyUtf8 = "k42"u8,
        }.WriteTo(entry, out int size);
        Assert.Equal(entry.Length, size);
        return (entry, crc);
    }

    [Fact]
    public void TryVerify_AcceptsOnlyTheIntactEntryOfThatPointAndVersion()
    {
        var (entry, crc) = Write(42, 7);
        Assert.True(BlobEntry.TryVerify(entry, 42, crc, out var blob));
        Assert.Equal(Enumerable.Repeat((byte)7, 32).ToArray(), blob.Original.ToArray());

        Assert.False(BlobEntry.TryVerify(entry, 43, crc, out _)); // another point's entry

        var (older, olderCrc) = Write(42, 6); // an intact older version of the same point
        Assert.NotEqual(olderCrc, crc);
        Assert.False(BlobEntry.TryVerify(older, 42, crc, out _));

        for (int at = 0; at < entry.Length; at += 5) // damage anywhere, including the stored CRC itself
        {
            var damaged = (byte[])entry.Clone();
            damaged[at] ^= 0x10;
            Assert.False(BlobEntry.TryVerify(damaged, 42, crc, out _));
        }
        Assert.False(BlobEntry.TryVerify(entry.AsSpan(0, entry.Length - 1), 42, crc, out _)); // truncated
    }
}

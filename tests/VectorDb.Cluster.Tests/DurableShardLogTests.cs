using System.Buffers.Binary;
using System.IO.Hashing;
using VectorDb.Cluster.Hosting;

namespace VectorDb.Cluster.Tests;

/// <summary>The shard log tail on disk: order, reopening, the byte bound, and damaged records cut off, never read.</summary>
public sealed class DurableShardLogTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"vectordb-shardlog-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Records_come_back_in_order_with_their_epochs_after_reopening()
    {
        var log = new DurableShardLog(_directory, 1 << 20);
        for (long s = 1; s <= 10; s++)
        {
            log.Append(s <= 6 ? 1 : 2, s, Payload(s, 100));
        }
        var reopened = new DurableShardLog(_directory, 1 << 20);
        Assert.Equal((1L, 10L), (reopened.FirstSequence!.Value, reopened.LastSequence!.Value));
        var records = reopened.Read(3, 10)!;
        Assert.Equal([4L, 5, 6, 7, 8, 9, 10], records.Select(r => r.Sequence));
        Assert.Equal([1L, 1, 1, 2, 2, 2, 2], records.Select(r => r.Epoch));
        Assert.All(records, r => Assert.Equal(Payload(r.Sequence, 100), r.Payload));
        Assert.Equal(1, reopened.EpochAt(6));
        Assert.Equal(2, reopened.EpochAt(7));
        Assert.Null(reopened.EpochAt(11));
        Assert.Empty(reopened.Read(10, 10)!);
        Assert.Null(reopened.Read(3, 11)); // the log does not reach that far
        Assert.Equal(0, reopened.RejectedRecords);
    }

    [Fact]
    public void The_bound_drops_whole_oldest_segments_and_a_reader_behind_it_gets_null()
    {
        const int bound = 64 << 10;
        var log = new DurableShardLog(_directory, bound);
        for (long s = 1; s <= 200; s++)
        {
            log.Append(1, s, Payload(s, 1000)); // 200 KB written in all
        }
        Assert.InRange(log.Bytes, 1, bound);
        long first = log.FirstSequence!.Value;
        Assert.True(first > 1, "nothing was dropped");
        Assert.Equal(200, log.LastSequence);
        Assert.Null(log.Read(first - 2, 200)); // write first-1 is gone: a full sync
        Assert.Equal(200 - first + 1, log.Read(first - 1, 200)!.Count);
        Assert.Equal(first, new DurableShardLog(_directory, bound).FirstSequence);
    }

    [Fact]
    public void Appending_at_or_before_the_last_sequence_replaces_the_rest_and_a_gap_empties_the_log()
    {
        var log = new DurableShardLog(_directory, 1 << 20);
        for (long s = 1; s <= 5; s++)
        {
            log.Append(1, s, Payload(s, 10));
        }
        log.Append(2, 4, Payload(40, 10)); // a new primary's write 4: the old 4 and 5 go
        var reopened = new DurableShardLog(_directory, 1 << 20);
        Assert.Equal(4, reopened.LastSequence);
        Assert.Equal(2, reopened.EpochAt(4));
        Assert.Equal(Payload(40, 10), reopened.Read(3, 4)![0].Payload);
        reopened.Append(2, 9, Payload(9, 10));
        Assert.Equal((9L, 9L), (reopened.FirstSequence!.Value, reopened.LastSequence!.Value));
    }

    [Fact]
    public void A_torn_last_record_is_cut_off_when_the_log_opens()
    {
        var log = new DurableShardLog(_directory, 1 << 20);
        for (long s = 1; s <= 5; s++)
        {
            log.Append(1, s, Payload(s, 300));
        }
        string segment = Assert.Single(Directory.GetFiles(_directory, "*.seg"));
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(file.Length - 50); // a crash in the middle of writing record 5
        }
        var reopened = new DurableShardLog(_directory, 1 << 20);
        Assert.Equal(1, reopened.RejectedRecords);
        Assert.Equal(4, reopened.LastSequence);
        Assert.Null(reopened.Read(3, 5));
        reopened.Append(1, 5, Payload(55, 300));
        Assert.Equal(Payload(55, 300), new DurableShardLog(_directory, 1 << 20).Read(4, 5)![0].Payload);
    }

    [Fact]
    public void A_flipped_bit_is_detected_on_opening_and_on_reading_and_nothing_after_it_is_returned()
    {
        var log = new DurableShardLog(_directory, 1 << 20);
        for (long s = 1; s <= 6; s++)
        {
            log.Append(1, s, Payload(s, 300));
        }
        string segment = Assert.Single(Directory.GetFiles(_directory, "*.seg"));
        long recordBytes = (new FileInfo(segment).Length - 16) / 6;

        // Damaged while the log is open: the read finds it, returns nothing, and cuts the log before it.
        FlipByte(segment, 16 + (4 * recordBytes) + 60); // inside record 5's payload
        Assert.Null(log.Read(2, 6));
        Assert.Equal(1, log.RejectedRecords);
        Assert.Equal(4, log.LastSequence);

        // Damaged at rest: opening stops at it.
        FlipByte(segment, 16 + (2 * recordBytes) + 60); // record 3
        var reopened = new DurableShardLog(_directory, 1 << 20);
        Assert.Equal(1, reopened.RejectedRecords);
        Assert.Equal(2, reopened.LastSequence);
        Assert.Equal([1L, 2], reopened.Read(0, 2)!.Select(r => r.Sequence));
    }

    [Fact]
    public void A_segment_of_another_version_is_not_read()
    {
        var log = new DurableShardLog(_directory, 1 << 20);
        log.Append(1, 1, Payload(1, 10));
        string segment = Assert.Single(Directory.GetFiles(_directory, "*.seg"));
        var bytes = File.ReadAllBytes(segment);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), DurableShardLog.FormatVersion + 1);
        File.WriteAllBytes(segment, bytes);
        var reopened = new DurableShardLog(_directory, 1 << 20);
        Assert.Equal(1, reopened.RejectedRecords);
        Assert.Null(reopened.LastSequence);
    }

    /// <summary>Pins format 1: a segment written here from the documented layout (not by the class) is read back.</summary>
    [Fact]
    public void A_segment_built_from_the_documented_format_1_layout_is_read()
    {
        Directory.CreateDirectory(_directory);
        using var file = new MemoryStream();
        file.Write("VDBSLOG1"u8);
        file.Write(BitConverter.GetBytes(1));
        file.Write(new byte[4]);
        foreach (var (epoch, sequence) in new[] { (3L, 41L), (4L, 42L) })
        {
            var body = new byte[16 + 5];
            BinaryPrimitives.WriteInt64LittleEndian(body, epoch);
            BinaryPrimitives.WriteInt64LittleEndian(body.AsSpan(8), sequence);
            "hello"u8.CopyTo(body.AsSpan(16));
            var length = BitConverter.GetBytes(body.Length);
            var crc = new Crc32();
            crc.Append(length);
            crc.Append(body);
            file.Write(length);
            file.Write(BitConverter.GetBytes(crc.GetCurrentHashAsUInt32()));
            file.Write(body);
        }
        File.WriteAllBytes(Path.Combine(_directory, "0000000000000000041.seg"), file.ToArray());
        var log = new DurableShardLog(_directory, 1 << 20);
        Assert.Equal(0, log.RejectedRecords);
        var records = log.Read(40, 42)!;
        Assert.Equal([(3L, 41L), (4L, 42L)], records.Select(r => (r.Epoch, r.Sequence)));
        Assert.All(records, r => Assert.Equal("hello"u8.ToArray(), r.Payload));
    }

    private static byte[] Payload(long seed, int length)
    {
        var bytes = new byte[length];
        new Random((int)seed).NextBytes(bytes);
        return bytes;
    }

    private static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open);
        file.Position = offset;
        int value = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(value ^ 0x01));
    }
}

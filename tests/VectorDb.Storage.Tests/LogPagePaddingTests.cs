using System.Buffers.Binary;
using VectorDb.Storage.Faster;

namespace VectorDb.Storage.Tests;

/// <summary>
/// A scan of the real FASTER log on disk whose end is a page start with end-of-page padding before it: FASTER puts an
/// entry that does not fit in the rest of a page on the next page, and a commit taken while that entry waits for a
/// free page buffer commits exactly to the page start. The scan must accept that padding and still report a log that
/// really ends early.
/// </summary>
public sealed partial class LogPagePaddingTests
{
    // 4 KiB pages, two of them in memory: a third page needs the first one written to disk.
    private static readonly LogGeometry Geometry = new(PageBits: 12, MemoryBits: 13, SegmentBits: 16);
    private const int PageBytes = 1 << 12;
    private const int BodyBytes = 100;
    private const int FramedBytes = 4 + BodyBytes; // FasterLog's 4-byte length, body already 4-byte aligned
    private const int FirstAddress = 64; // FasterLog's first page starts after a 64-byte header

    // Entries before page 2: 38 on page 0 (from address 64, 80 bytes of padding left) and 39 on page 1 (40 bytes of
    // padding left); both paddings are smaller than one entry.
    private const int EntriesBeforePage2 = 38 + 39;
    private const int Page1Padding = PageBytes - 39 * FramedBytes;

    /// <summary>Where FASTER puts entry <paramref name="index"/>: back to back from <see cref="FirstAddress"/>, moved
    /// to the next page start when the entry does not fit in the rest of the page.</summary>
    private static long AddressOf(int index)
    {
        long tail = FirstAddress;
        for (int i = 0; ; i++)
        {
            if ((tail % PageBytes) + FramedBytes > PageBytes)
                tail += PageBytes - (tail % PageBytes);
            if (i == index)
                return tail;
            tail += FramedBytes;
        }
    }

    private static byte[] Body(int index)
    {
        var body = new byte[BodyBytes];
        for (int i = 0; i < body.Length; i++)
            body[i] = (byte)(index * 7 + i + 1); // never all zero, distinct per entry
        return body;
    }

    /// <summary>Records every visited entry with its address.</summary>
    private sealed class Collector : ILogEntryVisitor
    {
        public List<(long Address, byte[] Body)> Entries { get; } = [];

        public bool Visit(ReadOnlySpan<byte> entry, long address, long nextAddress)
        {
            Entries.Add((address, entry.ToArray()));
            return true;
        }
    }

    /// <summary>Fills pages 0 and 1 to within less than one entry of their ends while page writes are held back, so the next entry cannot get a third page buffer: FASTER parks the
    /// tail at the start of page 2. Then lets the writes go and commits: the committed tail is that page start.
    /// Only a log with concurrent appenders (the blob log) can commit such a tail: a single-appender log's TryAppend
    /// waits for the buffer instead of refusing. With <paramref name="singleAppender"/> the files are therefore
    /// written as a multi-appender log (as the codes log was before that rule) and reopened as a single-appender one.</summary>
    private static async Task<FasterAppendLog> LogCommittedToPageStart(string directory, bool singleAppender)
    {
        var log = FasterAppendLog.Open(directory, "padded.log", Geometry, recoveredCommit: null, singleAppender: false);
        log.Device.WritesAllowed.Reset();
        Assert.Equal(FirstAddress, log.TailAddress);
        for (int i = 0; i < EntriesBeforePage2; i++)
            Assert.Equal(AddressOf(i), log.Append(Body(i)));
        Assert.Equal(2 * PageBytes - Page1Padding, log.TailAddress);
        Assert.Equal(2 * PageBytes, AddressOf(EntriesBeforePage2));
        Assert.False(log.TryAppend(Body(EntriesBeforePage2), out _)); // page 0 is not written yet: no buffer for page 2
        Assert.Equal(2 * PageBytes, log.TailAddress);
        log.Device.WritesAllowed.Set();
        await log.CommitAsync();
        Assert.Equal(2 * PageBytes, log.CommittedUntilAddress);
        if (!singleAppender)
            return log;
        var commit = log.StagedCommit.Metadata!;
        log.Dispose();
        return FasterAppendLog.Open(directory, "padded.log", Geometry, commit, singleAppender: true);
    }

    private static void AssertEntries(Collector collector, int count)
    {
        Assert.Equal(count, collector.Entries.Count);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(AddressOf(i), collector.Entries[i].Address);
            Assert.Equal(Body(i), collector.Entries[i].Body);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CommittedTailAtPageStartAfterPadding_ScansEveryEntry(bool singleAppender)
    {
        using var dir = new TestDirectory("padding");
        using var log = await LogCommittedToPageStart(dir.Path, singleAppender);

        var collector = new Collector();
        long next = log.Scan(log.BeginAddress, log.CommittedUntilAddress, collector);
        AssertEntries(collector, EntriesBeforePage2);
        Assert.Equal(2 * PageBytes - Page1Padding, next);

        // The entry that waited lands on page 2; a scan up to the old tail (a compaction cut) still ends in padding,
        // and a scan to the new tail reads everything.
        Assert.Equal(2 * PageBytes, log.Append(Body(EntriesBeforePage2)));
        await log.CommitAsync();
        var toCut = new Collector();
        log.Scan(log.BeginAddress, 2 * PageBytes, toCut);
        AssertEntries(toCut, EntriesBeforePage2);
        var all = new Collector();
        Assert.Equal(2 * PageBytes + FramedBytes, log.Scan(log.BeginAddress, log.CommittedUntilAddress, all));
        AssertEntries(all, EntriesBeforePage2 + 1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RecoveredToPageStartAfterPadding_ScansEveryEntry(bool singleAppender)
    {
        using var dir = new TestDirectory("padding-recover");
        byte[] commit;
        using (var log = await LogCommittedToPageStart(dir.Path, singleAppender))
            commit = log.StagedCommit.Metadata!;

        using var reopened = FasterAppendLog.Open(dir.Path, "padded.log", Geometry, commit, singleAppender);
        // A single-appender log reopens at the end of the last entry (PaddedCommitTail), before the padding.
        Assert.Equal(singleAppender ? 2 * PageBytes - Page1Padding : 2 * PageBytes, reopened.CommittedUntilAddress);
        var collector = new Collector();
        reopened.Scan(reopened.BeginAddress, reopened.CommittedUntilAddress, collector);
        AssertEntries(collector, EntriesBeforePage2);
    }

    /// <summary>Zeroes the length of the entry at <paramref name="address"/> in the closed log's segment file: FASTER
    /// reads it as end-of-page padding and silently skips the rest of that page.</summary>
    private static void ZeroLength(string directory, long address)
    {
        using var file = new FileStream(Path.Combine(directory, "padded.log.0"), FileMode.Open, FileAccess.ReadWrite);
        Span<byte> length = stackalloc byte[4];
        file.Position = address;
        file.ReadExactly(length);
        Assert.Equal(BodyBytes, BinaryPrimitives.ReadInt32LittleEndian(length));
        file.Position = address;
        file.Write(new byte[4]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ZeroedLengthInsideThePageOfACommittedTail_IsReported(bool singleAppender)
    {
        // The committed tail is inside page 1 (not a page start): losing the entries after a zeroed length there is
        // truncation, whatever the appender count.
        using var dir = new TestDirectory("padding-damaged-mid");
        byte[] commit;
        using (var log = FasterAppendLog.Open(dir.Path, "padded.log", Geometry, recoveredCommit: null, singleAppender))
        {
            for (int i = 0; i < 38 + 5; i++)
                log.Append(Body(i));
            await log.CommitAsync();
            Assert.Equal(PageBytes + 5 * FramedBytes, log.CommittedUntilAddress);
            commit = log.StagedCommit.Metadata!;
        }
        ZeroLength(dir.Path, AddressOf(38 + 3));

        using var reopened = FasterAppendLog.Open(dir.Path, "padded.log", Geometry, commit, singleAppender);
        var error = Assert.Throws<StorageCorruptionException>(() =>
            reopened.Scan(reopened.BeginAddress, reopened.CommittedUntilAddress, new Collector()));
        Assert.Contains($"ends at address {PageBytes + 3 * FramedBytes}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ZeroedLengthBeforeAPageStartTail_GapLargerThanOneEntry_IsReported(bool singleAppender)
    {
        // The committed tail is a page start, but the scan stops more than one maximal entry before it: no entry could
        // have left that much padding, so it is lost data.
        using var dir = new TestDirectory("padding-damaged-end");
        byte[] commit;
        long damaged;
        // Written as a multi-appender log: a single-appender TryAppend would wait for the buffer (see above).
        using (var log = FasterAppendLog.Open(dir.Path, "padded.log", Geometry, recoveredCommit: null, singleAppender: false))
        {
            log.Device.WritesAllowed.Reset();
            for (int i = 0; i < 38; i++)
                log.Append(Body(i));
            Assert.Equal(PageBytes - 80, log.Append(new byte[76])); // fills page 0 exactly
            Assert.Equal(PageBytes, log.Append(new byte[8]));       // a small entry opens page 1
            damaged = log.Append(Body(38));
            Assert.Equal(PageBytes + 12, damaged);
            while (log.TailAddress + FramedBytes <= 2 * PageBytes)
                log.Append(Body(39));
            Assert.False(log.TryAppend(Body(40), out _));
            Assert.Equal(2 * PageBytes, log.TailAddress);
            log.Device.WritesAllowed.Set();
            await log.CommitAsync();
            Assert.Equal(2 * PageBytes, log.CommittedUntilAddress);
            commit = log.StagedCommit.Metadata!;
        }
        ZeroLength(dir.Path, damaged);
        Assert.True(2 * PageBytes - damaged > PageBytes - 64, "the gap exceeds one maximal framed entry (page - 64 bytes)");

        using var reopened = FasterAppendLog.Open(dir.Path, "padded.log", Geometry, commit, singleAppender);
        var error = Assert.Throws<StorageCorruptionException>(() =>
            reopened.Scan(reopened.BeginAddress, reopened.CommittedUntilAddress, new Collector()));
        Assert.Contains($"ends at address {damaged} but was committed until {2 * PageBytes}", error.Message, StringComparison.Ordinal);
    }
}

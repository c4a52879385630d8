using FASTER.core;

namespace VectorDb.Storage.Faster;

/// <summary>Sizes of one FASTER log, as powers of two (bits).</summary>
/// <param name="PageBits">Page size; an entry must fit in one page.</param>
/// <param name="MemoryBits">In-memory part of the log (bounded memory); at least two pages.</param>
/// <param name="SegmentBits">Size of one segment file; truncation frees disk space a whole segment at a time.</param>
internal readonly record struct LogGeometry(int PageBits, int MemoryBits, int SegmentBits);

/// <summary><see cref="IAppendLog"/> on FASTER's FasterLog with a <see cref="SyncedFileDevice"/> and a
/// <see cref="StagedCommitManager"/>.</summary>
internal sealed class FasterAppendLog : IAppendLog
{
    // FasterLog entry header without per-entry checksum: a 4-byte length; entries are 4-byte aligned.
    private const int EntryHeaderBytes = 4;

    private readonly SyncedFileDevice _device;
    private readonly StagedCommitManager _commits;
    private readonly FasterLog _log;
    private readonly LogGeometry _geometry;

    private readonly bool _singleAppender;
    private readonly LogSpaceReservation _space;

    private FasterAppendLog(SyncedFileDevice device, StagedCommitManager commits, FasterLog log, LogGeometry geometry, bool singleAppender,
        DiskSpaceBudget? budget)
    {
        _space = new LogSpaceReservation(device, geometry.SegmentBits, log.TailAddress, budget);
        _singleAppender = singleAppender;
        _device = device;
        _commits = commits;
        _log = log;
        _geometry = geometry;
    }

    /// <summary>Opens (or creates) the log whose segment files are <c>directory/name.N</c>, recovering to
    /// <paramref name="recoveredCommit"/> (metadata from the commit slot; null for a new log).
    /// <paramref name="singleAppender"/> promises that appends and commits never run concurrently (the caller
    /// serialises them under one lock), which lets scans check page-end padding exactly (see <see cref="TryAppend"/>).
    /// <paramref name="budget"/> simulates free disk space (tests only).</summary>
    public static FasterAppendLog Open(string directory, string name, LogGeometry geometry, byte[]? recoveredCommit, bool singleAppender,
        DiskSpaceBudget? budget = null)
    {
        var device = new SyncedFileDevice(Path.Combine(directory, name));
        if (recoveredCommit is not null && singleAppender)
        {
            try
            {
                recoveredCommit = PaddedCommitTail.EndOfLastEntry(device, geometry, recoveredCommit, MaxFramedEntryBytes(geometry));
            }
            catch
            {
                device.Dispose();
                throw;
            }
        }
        var commits = new StagedCommitManager(device, recoveredCommit);
        var settings = new FasterLogSettings
        {
            LogDevice = device,
            PageSizeBits = geometry.PageBits,
            MemorySizeBits = geometry.MemoryBits,
            SegmentSizeBits = geometry.SegmentBits,
            LogCommitManager = commits,
            LogChecksum = LogChecksumType.None, // records carry their own CRC-32C (Records/)
            TryRecoverLatest = false,
            AutoCommit = false,
        };
        FasterLog log;
        try
        {
            log = new FasterLog(settings);
            if (recoveredCommit is not null)
                log.Recover();
        }
        catch (Exception e) when (e is FasterException or IOException or InvalidOperationException)
        {
            device.Dispose();
            var (file, _) = Locate(device, geometry, 0);
            throw new StorageCorruptionException(file, 0, $"log '{name}' could not be recovered: {e.Message}");
        }
        var appendLog = new FasterAppendLog(device, commits, log, geometry, singleAppender, budget);
        try
        {
            if (recoveredCommit is not null)
                appendLog.CheckRecoveredTo(recoveredCommit, name);
        }
        catch
        {
            appendLog.Dispose();
            throw;
        }
        device.DeleteSegmentsBelow((int)(log.BeginAddress >> geometry.SegmentBits));
        return appendLog;
    }

    private long _parkedEntryWaits;

    /// <summary>How many times <see cref="TryAppend"/> has waited for a page buffer instead of refusing an entry that
    /// had parked the tail (tests observe it; a waiting writer cannot be seen otherwise).</summary>
    internal long ParkedEntryWaits => Interlocked.Read(ref _parkedEntryWaits);

    /// <summary>The segment files' device (tests hold its writes back).</summary>
    internal SyncedFileDevice Device => _device;

    public long BeginAddress => _log.BeginAddress;

    public long TailAddress => _log.TailAddress;

    public long CommittedUntilAddress => _log.CommittedUntilAddress;

    public int MaxEntryBytes => MaxFramedEntryBytes(_geometry) - EntryHeaderBytes;

    // The largest entry with its length header: a page less 64 bytes.
    private static int MaxFramedEntryBytes(LogGeometry geometry) => (1 << geometry.PageBits) - 64;

    public (byte[]? Metadata, long Version) StagedCommit => _commits.Staged;

    // An entry takes its 4-byte length plus its body rounded up to 4 bytes; when it does not fit in the rest of the
    // page, FASTER skips to the next page, wasting less than the entry's own size. Twice the framed size covers both.
    public long SpaceBound(int bodyLength) => 2L * (EntryHeaderBytes + ((bodyLength + 3) & ~3));

    public void ReserveSpace(long bytes) => _space.Reserve(bytes, () => _log.TailAddress);

    public void ReleaseSpace(long bytes) => _space.Release(bytes);

    public long Append(ReadOnlySpan<byte> entry) => _log.Enqueue(entry);

    public bool TryAppend(ReadOnlySpan<byte> entry, out long address)
    {
        // A page turn can make one attempt fail briefly even with memory to spare; only a persistent failure
        // means the in-memory budget is full.
        for (int attempt = 0; attempt < 4; attempt++)
        {
            long tailBefore = _log.TailAddress;
            if (_log.TryEnqueue(entry, out address))
                return true;
            if (_singleAppender && ParkedOnNextPage(tailBefore))
            {
                // This entry did not fit in the rest of the page, and FASTER (2.6) has parked the tail at the next
                // page start, leaving the rest of the page as padding, until a page buffer is free. The exact
                // padding check of a single-appender log (Consumer) accepts that padding only if the first entry
                // of the next page is one that would not have fitted in it; refusing now would let another writer
                // put any entry there (the collection releases its lock and waits on a refusal), and a
                // smaller one would make every later scan report the padding as unreadable entries. So this entry
                // is appended now, waiting for the buffer as Append does. The wait holds the caller's lock for one
                // page write: page writes run on the device's own thread and need no commit (which takes that lock).
                // The caller's lock also means no commit can capture the parked tail, so a committed codes tail is
                // never such a page start.
                Interlocked.Increment(ref _parkedEntryWaits);
                address = _log.Enqueue(entry);
                return true;
            }
            Thread.Yield();
        }
        address = 0;
        return false;
    }

    /// <summary>Whether a failed append moved the tail from <paramref name="tailBefore"/> to the start of the next
    /// page (FASTER parks it there while it waits for a free page buffer). Exact only with a single appender: no
    /// one else moves the tail meanwhile.</summary>
    private bool ParkedOnNextPage(long tailBefore)
    {
        long pageSize = 1L << _geometry.PageBits;
        long nextPage = (tailBefore & ~(pageSize - 1)) + pageSize;
        return _log.TailAddress == nextPage; // a tail already on a page start (no padding) stays there
    }

    public ValueTask<long> AppendAsync(ReadOnlyMemory<byte> entry) => _log.EnqueueAsync(entry);

    public ValueTask CommitAsync() => _log.CommitAsync();

    public async ValueTask<byte[]?> ReadAsync(long address, int lengthHint)
    {
        try
        {
            var (bytes, length) = await _log.ReadAsync(address, lengthHint).ConfigureAwait(false);
            if (bytes is null)
                return null;
            return bytes.Length == length ? bytes : bytes.AsSpan(0, length).ToArray();
        }
        catch (FasterException)
        {
            return null;
        }
    }

    public bool TryReadCommitted(long address, Span<byte> entry)
    {
        // Committed entries are already written to the segment files (FASTER completes a commit only after its pages
        // were written), so they can be read straight from the file, synchronously. FasterLog's entry format: a
        // 4-byte little-endian length, then the body; an entry never crosses a page (hence never a segment).
        if (address < _log.BeginAddress || address + EntryHeaderBytes + entry.Length > _log.CommittedUntilAddress)
            return false;
        int total = EntryHeaderBytes + entry.Length;
        byte[]? rented = null;
        Span<byte> buffer = total <= 4096 ? stackalloc byte[total] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(total)).AsSpan(0, total);
        try
        {
            long offset = address & ((1L << _geometry.SegmentBits) - 1);
            if (!_device.TryReadDirect((int)(address >> _geometry.SegmentBits), offset, buffer) ||
                System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(buffer) != entry.Length)
                return false;
            buffer[EntryHeaderBytes..].CopyTo(entry);
            return true;
        }
        finally
        {
            if (rented is not null)
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public bool TryReadCommittedRange(long address, Span<byte> destination)
    {
        // Committed bytes are in the segment files (see TryReadCommitted); a range may span segment boundaries.
        if (address < _log.BeginAddress || address + destination.Length > _log.CommittedUntilAddress)
            return false;
        long segmentBytes = 1L << _geometry.SegmentBits;
        while (!destination.IsEmpty)
        {
            long offset = address & (segmentBytes - 1);
            int count = (int)Math.Min(destination.Length, segmentBytes - offset);
            if (!_device.TryReadDirect((int)(address >> _geometry.SegmentBits), offset, destination[..count]))
                return false;
            destination = destination[count..];
            address += count;
        }
        return true;
    }

    public int FramedLength(int bodyLength) => EntryHeaderBytes + bodyLength;

    public ReadOnlySpan<byte> EntryBody(ReadOnlySpan<byte> framed, int bodyLength) =>
        framed.Length >= EntryHeaderBytes + bodyLength &&
        System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(framed) == bodyLength
            ? framed.Slice(EntryHeaderBytes, bodyLength)
            : default;

    public long Scan(long from, long until, ILogEntryVisitor visitor)
    {
        long expected = Math.Max(from, _log.BeginAddress);
        using var iterator = _log.Scan(expected, until);
        var consumer = new Consumer(this, visitor, expected);
        try
        {
            // The visitor runs between TryConsumeNext calls, never inside Consume: see Consumer.
            while (!consumer.Stopped && iterator.TryConsumeNext(consumer))
                consumer.DeliverPending();
        }
        catch (FasterException e)
        {
            var (file, offset) = Locate(consumer.NextExpected);
            throw new StorageCorruptionException(file, offset, $"log framing is damaged ({e.Message})");
        }
        if (consumer.Failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(consumer.Failure);
        long end = Math.Min(until, _log.CommittedUntilAddress);
        if (!consumer.Stopped && consumer.NextExpected < end && !EndsInPageEndPadding(consumer.NextExpected, end))
        {
            // FASTER reads a zeroed length as end-of-page padding and moves on, so a damaged length can end a scan
            // early without an error; a complete scan must end exactly at the committed tail (or in the padding
            // before it, when the tail is a page start).
            var (file, offset) = Locate(consumer.NextExpected);
            throw new StorageCorruptionException(file, offset,
                $"the log ends at address {consumer.NextExpected} but was committed until {end}");
        }
        return consumer.NextExpected;
    }

    /// <summary>Whether a scan that stopped at <paramref name="scanEnd"/> short of <paramref name="end"/> only skipped
    /// end-of-page padding. FASTER moves an entry that does not fit in the rest of a page to the next page; when no
    /// page buffer is free yet (pages still being flushed), it parks the tail at the page end, i.e. at the next page
    /// start, until an append succeeds. A commit taken meanwhile commits exactly to that page start, and so does a
    /// compaction cut taken from it; FASTER's iterator skips the padding, reaches the end and stops at the last entry
    /// before the padding. Only "less than one maximal entry" can be checked: the entry that did not fit is not part
    /// of the commit, so its size is unknown. Concurrent appenders (the blob log) commit such tails; a single-appender
    /// log does not (see <see cref="TryAppend"/>), but one written before that rule (session 8) may hold one.</summary>
    private bool EndsInPageEndPadding(long scanEnd, long end) =>
        (end & ((1L << _geometry.PageBits) - 1)) == 0 && IsPageEndPadding(scanEnd, end, entryLength: -1);

    /// <summary>Whether the gap from <paramref name="expected"/> (where the next entry should start) to
    /// <paramref name="actual"/> is end-of-page padding: <paramref name="actual"/> is the next page's start and the
    /// entry of <paramref name="entryLength"/> bytes (-1: unknown, bound by the largest entry) would not have fitted
    /// in the rest of the page. FASTER starts an entry on the next page when it does not fit in the current one.</summary>
    private bool IsPageEndPadding(long expected, long actual, int entryLength)
    {
        long pageSize = 1L << _geometry.PageBits;
        long nextPage = (expected & ~(pageSize - 1)) + pageSize;
        if (actual != nextPage)
            return false;
        long needed = entryLength >= 0 ? EntryHeaderBytes + ((entryLength + 3) & ~3) : MaxFramedEntryBytes(_geometry);
        return expected + needed > nextPage;
    }

    public void TruncateUntil(long address) => _log.TruncateUntil(address);

    public void ReleaseRemovedSegments(byte[]? durableCommit)
    {
        if (durableCommit is null)
            return;
        long durableBegin = StagedCommitManager.Describe(durableCommit).Begin;
        _device.ReleaseRemovedSegments((int)(durableBegin >> _geometry.SegmentBits));
    }

    public (string File, long Offset) Locate(long address) => Locate(_device, _geometry, address);

    public long BytesOnDisk()
    {
        long total = 0;
        int first = (int)(_log.BeginAddress >> _geometry.SegmentBits);
        int last = (int)(_log.TailAddress >> _geometry.SegmentBits);
        for (int segment = first; segment <= last; segment++)
            total += _device.GetFileSize(segment);
        return total;
    }

    public void Dispose()
    {
        _log.Dispose();
        _device.Dispose();
    }

    private static (string File, long Offset) Locate(SyncedFileDevice device, LogGeometry geometry, long address) =>
        (device.SegmentPath((int)(address >> geometry.SegmentBits)), address & ((1L << geometry.SegmentBits) - 1));

    private void CheckRecoveredTo(byte[] commit, string name)
    {
        var (begin, until, _) = StagedCommitManager.Describe(commit);
        if (_log.CommittedUntilAddress != until || _log.BeginAddress != begin)
        {
            var (file, offset) = Locate(until);
            throw new StorageCorruptionException(file, offset,
                $"log '{name}' recovered to [{_log.BeginAddress}, {_log.CommittedUntilAddress}) instead of the committed [{begin}, {until})");
        }
        for (long segment = begin >> _geometry.SegmentBits; segment <= (until - 1) >> _geometry.SegmentBits; segment++)
        {
            long needed = Math.Min(until - (segment << _geometry.SegmentBits), 1L << _geometry.SegmentBits);
            long present = _device.GetFileSize((int)segment);
            if (present < needed && until > begin)
            {
                var path = _device.SegmentPath((int)segment);
                throw new StorageCorruptionException(path, present,
                    $"segment file is truncated: {present} bytes present, at least {needed} committed");
            }
        }
    }

    /// <summary>Checks that FASTER hands out entries back to back (only page-end padding may be skipped), copies each
    /// entry out, and forwards the copy to the visitor after <c>TryConsumeNext</c> has returned.
    /// <para>Why the copy and the deferral: for entries on in-memory pages FASTER calls <see cref="Consume"/> under the
    /// log's epoch protection with a span into its page buffer. A visitor that appends to the same log (compaction
    /// re-appends live blobs) would re-enter the epoch; the append's epoch release drops the scan's protection, so
    /// FASTER may close and reuse the buffer the span points into (when the append rolls the tail onto a new page,
    /// that is the very buffer it copies into), and the copy written at the new page's start is garbage under a codes
    /// entry that carries the original CRC. Visitors therefore only ever see a private copy, outside the epoch.</para></summary>
    private sealed class Consumer(FasterAppendLog log, ILogEntryVisitor visitor, long start) : ILogEntryConsumer
    {
        public long NextExpected = start;
        public bool Stopped;
        public Exception? Failure;
        private byte[] _pending = new byte[256];
        private int _pendingLength = -1; // -1: nothing to deliver
        private long _pendingAddress, _pendingNext;

        public void Consume(ReadOnlySpan<byte> entry, long currentAddress, long nextAddress)
        {
            if (Stopped)
                return;
            // With a single appender the first entry of the next page is the one that did not fit (TryAppend never
            // refuses an entry once it has parked the tail on the next page start), so the jump is legitimate
            // exactly when it would not have fitted; with concurrent appenders any entry can be first.
            if (currentAddress != NextExpected &&
                !log.IsPageEndPadding(NextExpected, currentAddress, log._singleAppender ? entry.Length : -1))
            {
                var (file, offset) = log.Locate(NextExpected);
                Failure = new StorageCorruptionException(file, offset,
                    $"entries between log addresses {NextExpected} and {currentAddress} are unreadable");
                Stopped = true;
                return;
            }
            NextExpected = nextAddress;
            if (_pending.Length < entry.Length)
                _pending = new byte[Math.Max(entry.Length, 2 * _pending.Length)];
            entry.CopyTo(_pending);
            _pendingLength = entry.Length;
            _pendingAddress = currentAddress;
            _pendingNext = nextAddress;
        }

        /// <summary>Hands the entry copied by the last <see cref="Consume"/> to the visitor (outside FASTER's epoch).
        /// Exceptions are carried out and rethrown after the iterator is disposed.</summary>
        public void DeliverPending()
        {
            if (_pendingLength < 0 || Stopped)
                return;
            int length = _pendingLength;
            _pendingLength = -1;
            try
            {
                if (!visitor.Visit(_pending.AsSpan(0, length), _pendingAddress, _pendingNext))
                    Stopped = true;
            }
            catch (Exception e)
            {
                Failure = e;
                Stopped = true;
            }
        }
    }
}

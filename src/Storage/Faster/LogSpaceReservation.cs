using VectorDb.Storage.Io;

namespace VectorDb.Storage.Faster;

/// <summary>
/// Disk space for one log, allocated in its segment files before entries are appended, so that a full disk refuses
/// a write up front (<see cref="DiskFullException"/>, nothing appended, nothing visible) instead of failing a page
/// flush later, after the write was applied in memory or acknowledged.
/// <para>Invariant: every append is covered by a claim (<see cref="Reserve"/> before, <see cref="Release"/> after)
/// of at least <see cref="FasterAppendLog.SpaceBound"/> bytes per entry, and on every claim the allocated range
/// reaches at least tail + all outstanding claims. Since the last claim, the log can only have grown by the
/// outstanding claims' bytes, so every byte FASTER writes lies in allocated space.</para>
/// </summary>
internal sealed class LogSpaceReservation
{
    /// <summary>Allocation granularity, in bytes. Segments are at least 1 MiB and aligned, so an aligned chunk never
    /// spans two segment files.</summary>
    private const long Chunk = 1L << 20;

    /// <summary>FASTER writes a partial page up to the next 512-byte sector boundary past the tail.</summary>
    private const long FlushSlack = 4096;

    private readonly Lock _lock = new();
    private readonly SyncedFileDevice _device;
    private readonly int _segmentBits;
    private readonly DiskSpaceBudget? _budget;
    private long _allocatedUntil;
    private long _outstanding;
    private bool _unsupported;

    public LogSpaceReservation(SyncedFileDevice device, int segmentBits, long tail, DiskSpaceBudget? budget)
    {
        _device = device;
        _segmentBits = segmentBits;
        _budget = budget;
        _allocatedUntil = tail & ~(FlushSlack - 1); // the sector holding the tail may be partly written: allocate it again
    }

    /// <summary>Claims <paramref name="bytes"/> of log space past <paramref name="tail"/> (the log's current tail)
    /// and allocates it on disk; throws <see cref="DiskFullException"/> (nothing claimed) when the volume is full.</summary>
    public void Reserve(long bytes, Func<long> tail)
    {
        lock (_lock)
        {
            long target = tail() + _outstanding + bytes + FlushSlack;
            if (!_unsupported && target > _allocatedUntil)
                Allocate((target + Chunk - 1) & ~(Chunk - 1));
            _outstanding += bytes;
        }
    }

    /// <summary>Ends a claim once its appends are done (or abandoned).</summary>
    public void Release(long bytes)
    {
        lock (_lock)
            _outstanding -= bytes;
    }

    private void Allocate(long until)
    {
        long segmentBytes = 1L << _segmentBits;
        while (_allocatedUntil < until)
        {
            int segment = (int)(_allocatedUntil >> _segmentBits);
            long offset = _allocatedUntil & (segmentBytes - 1);
            long length = Math.Min(until - _allocatedUntil, segmentBytes - offset);
            if (_budget is not null && !_budget.TryTake(length))
                throw new DiskFullException(_device.Directory, until - _allocatedUntil);
            switch (_device.Allocate(segment, offset, length))
            {
                case FileSpace.Result.NoSpace:
                    throw new DiskFullException(_device.Directory, until - _allocatedUntil);
                case FileSpace.Result.Unsupported:
                    _unsupported = true; // e.g. a file system without fallocate: writes go unreserved, as before
                    return;
            }
            _allocatedUntil += length;
        }
    }
}

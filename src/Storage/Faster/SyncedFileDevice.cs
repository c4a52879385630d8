using System.Collections.Concurrent;
using FASTER.core;
using VectorDb.Storage.Io;
using Microsoft.Win32.SafeHandles;

namespace VectorDb.Storage.Faster;

/// <summary>
/// FASTER device over plain segment files (<c>name.0</c>, <c>name.1</c>, ...) that writes through the OS page cache
/// and makes data durable only when <see cref="FlushToDisk"/> is called (fsync per written segment). FASTER's own
/// Linux device opens files with O_SYNC, which makes every page write wait for the disk; here the commit path
/// (<see cref="StagedCommitManager.Commit"/>) issues one fsync per group commit instead.
/// Segment deletion requested by FASTER (after a truncation) is deferred until <see cref="ReleaseRemovedSegments"/>,
/// which deletes only segments below the begin address of the commit slot on disk, so a crash can never leave a
/// durable commit that points into deleted files.
/// </summary>
internal sealed class SyncedFileDevice : StorageDeviceBase
{
    private readonly ConcurrentDictionary<int, SafeFileHandle> _handles = new();
    private readonly ConcurrentDictionary<int, byte> _dirtySegments = new();
    private readonly ConcurrentQueue<int> _removedSegments = new();
    private readonly BlockingCollection<WriteRequest> _writes = new();
    private readonly Thread _writer;
    private readonly string _directory;
    private volatile bool _directoryDirty;
    private volatile bool _disposed;

    public SyncedFileDevice(string baseFileName)
        : base(baseFileName, sectorSize: 512, capacity: Devices.CAPACITY_UNSPECIFIED)
    {
        _directory = Path.GetDirectoryName(Path.GetFullPath(baseFileName))!;
        _writer = new Thread(RunWriter) { IsBackground = true, Name = $"vdb-log-writer {Path.GetFileName(baseFileName)}" };
        _writer.Start();
    }

    /// <summary>Tests only: reset to hold page writes back (as a slow disk does), set again to let them go.</summary>
    internal ManualResetEventSlim WritesAllowed { get; } = new(initialState: true);

    /// <summary>Directory of the segment files.</summary>
    public string Directory => _directory;

    /// <summary>Allocates disk blocks for [<paramref name="offset"/>, +<paramref name="length"/>) of a segment file
    /// (creating it if needed) without changing its length; see <see cref="LogSpaceReservation"/>.</summary>
    public FileSpace.Result Allocate(int segment, long offset, long length)
    {
        var handle = GetHandle(segment, create: true);
        return FileSpace.TryAllocate(handle, SegmentPath(segment), offset, length);
    }

    /// <summary>Path of the file that holds <paramref name="segment"/>.</summary>
    public string SegmentPath(int segment) => $"{FileName}.{segment}";

    // Record-sized reads (random gets, batched original reads) go to the thread pool so that many are in flight at
    // once; page-sized reads (scans, recovery) run inline because FASTER's scan waits for them synchronously.
    private const uint InlineReadThreshold = 64 * 1024;

    public override void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength,
        DeviceIOCompletionCallback callback, object context)
    {
        if (readLength > InlineReadThreshold)
        {
            Read(segmentId, sourceAddress, destinationAddress, readLength, callback, context);
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
            state.device.Read(state.segmentId, state.sourceAddress, state.destinationAddress, state.readLength,
                state.callback, state.context),
            (device: this, segmentId, sourceAddress, destinationAddress, readLength, callback, context), preferLocal: false);
    }

    private void Read(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength,
        DeviceIOCompletionCallback callback, object context)
    {
        uint error = 0;
        try
        {
            var handle = GetHandle(segmentId, create: false);
            unsafe
            {
                var destination = new Span<byte>((void*)destinationAddress, (int)readLength);
                int done = 0;
                while (done < destination.Length)
                {
                    int n = RandomAccess.Read(handle, destination[done..], (long)sourceAddress + done);
                    if (n == 0) break;
                    done += n;
                }
                // FASTER reads whole sectors/pages; bytes past the end of a segment file were never written and
                // read as zero (FASTER treats a zero length as end-of-page padding, then validates the rest).
                destination[done..].Clear();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            error = 1; // a missing (truncated-away) segment or a closed device: FASTER reports the read as failed
        }
        callback(error, error == 0 ? readLength : 0, context);
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="offset"/> of a segment file on
    /// the calling thread (no FASTER, no thread pool); false if the file is missing (truncated away), closed or
    /// shorter than the range.</summary>
    public bool TryReadDirect(int segment, long offset, Span<byte> destination)
    {
        try
        {
            var handle = GetHandle(segment, create: false);
            int done = 0;
            while (done < destination.Length)
            {
                int n = RandomAccess.Read(handle, destination[done..], offset + done);
                if (n == 0)
                    return false;
                done += n;
            }
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public override void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress,
        uint numBytesToWrite, DeviceIOCompletionCallback callback, object context)
    {
        // The source page stays pinned by FASTER until the callback runs. Writes go to this device's own thread:
        // the enqueueing thread (possibly holding the collection's location lock) does not wait for the copy, and
        // flushes keep moving even when every thread-pool thread is busy appending (which would otherwise starve
        // the flush that frees the memory those appenders wait for).
        _writes.Add(new WriteRequest(sourceAddress, segmentId, destinationAddress, numBytesToWrite, callback, context));
    }

    private readonly record struct WriteRequest(IntPtr Source, int Segment, ulong Offset, uint Count,
        DeviceIOCompletionCallback Done, object Context);

    private void RunWriter()
    {
        foreach (var request in _writes.GetConsumingEnumerable())
        {
            WritesAllowed.Wait();
            uint error = 0;
            try
            {
                var handle = GetHandle(request.Segment, create: true);
                unsafe
                {
                    RandomAccess.Write(handle, new ReadOnlySpan<byte>((void*)request.Source, (int)request.Count), (long)request.Offset);
                }
                _dirtySegments[request.Segment] = 0;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
            {
                error = 1;
            }
            request.Done(error, error == 0 ? request.Count : 0, request.Context);
        }
    }

    /// <summary>fsync every segment written since the last call (and the directory if a segment was created).</summary>
    public void FlushToDisk()
    {
        foreach (var segment in _dirtySegments.Keys)
        {
            _dirtySegments.TryRemove(segment, out _);
            if (_handles.TryGetValue(segment, out var handle))
                RandomAccess.FlushToDisk(handle);
        }
        if (_directoryDirty)
        {
            _directoryDirty = false;
            DirectorySync.Flush(_directory);
        }
    }

    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result)
    {
        RemoveSegment(segment);
        callback(result);
    }

    public override void RemoveSegment(int segment) => _removedSegments.Enqueue(segment);

    /// <summary>Deletes the files of segments FASTER has truncated away that lie wholly below
    /// <paramref name="firstDurableSegment"/> (the segment of the begin address in the durable commit slot); the others
    /// stay queued. One call at a time.</summary>
    public void ReleaseRemovedSegments(int firstDurableSegment)
    {
        bool any = false;
        int queued = _removedSegments.Count;
        for (int i = 0; i < queued && _removedSegments.TryDequeue(out int segment); i++)
        {
            if (segment >= firstDurableSegment)
            {
                _removedSegments.Enqueue(segment); // a durable commit still covers it
                continue;
            }
            if (_handles.TryRemove(segment, out var handle))
                handle.Dispose();
            _dirtySegments.TryRemove(segment, out _);
            File.Delete(SegmentPath(segment));
            any = true;
        }
        if (any)
            DirectorySync.Flush(_directory);
    }

    /// <summary>Deletes segment files wholly below <paramref name="firstLiveSegment"/> left behind when a crash hit
    /// between a durable truncation and the file deletion.</summary>
    public void DeleteSegmentsBelow(int firstLiveSegment)
    {
        string prefix = Path.GetFileName(FileName) + ".";
        foreach (var path in System.IO.Directory.EnumerateFiles(_directory, prefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(path).AsSpan(prefix.Length), out int segment) && segment < firstLiveSegment)
                File.Delete(path);
        }
    }

    public override long GetFileSize(int segment)
    {
        var path = SegmentPath(segment);
        return File.Exists(path) ? new FileInfo(path).Length : 0;
    }

    public override void Dispose()
    {
        if (_disposed) return;
        _writes.CompleteAdding();
        WritesAllowed.Set();
        _writer.Join();
        _writes.Dispose();
        WritesAllowed.Dispose();
        _disposed = true;
        foreach (var handle in _handles.Values)
            handle.Dispose();
        _handles.Clear();
    }

    private SafeFileHandle GetHandle(int segment, bool create)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_handles.TryGetValue(segment, out var handle))
            return handle;
        lock (_handles)
        {
            if (_handles.TryGetValue(segment, out handle))
                return handle;
            var path = SegmentPath(segment);
            bool created = !File.Exists(path);
            if (created && !create)
                throw new FileNotFoundException($"Segment file '{path}' does not exist.", path);
            handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite,
                FileShare.ReadWrite | FileShare.Delete);
            if (created)
                _directoryDirty = true;
            _handles[segment] = handle;
            return handle;
        }
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;

namespace VectorDb.Cluster.Hosting;

/// <summary>
/// The last writes a shard replica applied, on disk beside the shard (<c>&lt;data&gt;/cluster-log/&lt;shard&gt;/</c>), in
/// sequence order and bounded in bytes: what a primary ships a returning replica instead of copying the whole shard,
/// and what survives the primary's own restart. Changed only by the replica's (non-reentrant) grain.
/// <para>Format (version 1): segment files <c>&lt;first sequence, 19 digits&gt;.seg</c>, each an 16-byte header
/// (<c>"VDBSLOG1"</c>, version as little-endian int32, 4 zero bytes) then records:
/// <c>[int32 body length][uint32 CRC-32 of length and body][body]</c>, body = <c>[int64 epoch][int64 sequence][payload]</c>,
/// little-endian. Sequences are consecutive across segments.</para>
/// <para>Loading stops at the first record that is torn (cut off), fails its checksum, or does not follow the one before
/// it: the file is cut there and later segments are deleted, so a damaged record is never read back (the writes after
/// it are then not in the tail, and a replica that needs them gets a full sync). A segment of another version is
/// dropped the same way: the tail is a bounded shortcut, never the only copy of a write, so losing it costs a full
/// sync, not data.</para>
/// <para>Bound: when the files exceed <c>maxBytes</c>, whole oldest segments (each about an eighth of the bound) are
/// deleted; the newest segment is always kept.</para>
/// </summary>
public sealed class DurableShardLog
{
    /// <summary>The format this code writes and reads.</summary>
    public const int FormatVersion = 1;

    private const int HeaderBytes = 16;
    private const int FrameBytes = 8; // length + checksum
    private const int BodyPrefixBytes = 16; // epoch + sequence
    private static ReadOnlySpan<byte> Magic => "VDBSLOG1"u8;

    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly long _segmentBytes;
    private readonly List<Segment> _segments = [];
    private readonly List<Entry> _entries = []; // every record held, in sequence order

    /// <summary>Opens (or starts) the log in <paramref name="directory"/>, dropping any damaged end (see the class).</summary>
    /// <param name="directory">This shard's log folder.</param>
    /// <param name="maxBytes">Bound of the files' total size in bytes.</param>
    public DurableShardLog(string directory, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1024);
        _directory = directory;
        _maxBytes = maxBytes;
        _segmentBytes = Math.Max(maxBytes / 8, 512);
        Directory.CreateDirectory(directory);
        Load();
    }

    /// <summary>Damaged records (torn, bad checksum, out of order, unknown version) found and cut off since this
    /// instance opened: what the tests read to see that a damaged record was detected.</summary>
    public int RejectedRecords { get; private set; }

    /// <summary>Sequence of the first record held, or null when empty.</summary>
    public long? FirstSequence => _entries.Count > 0 ? _entries[0].Sequence : null;

    /// <summary>Sequence of the last record held, or null when empty.</summary>
    public long? LastSequence => _entries.Count > 0 ? _entries[^1].Sequence : null;

    /// <summary>Total size of the files in bytes.</summary>
    public long Bytes => _segments.Sum(s => s.Length);

    /// <summary>Appends record <paramref name="sequence"/> of <paramref name="epoch"/>, flushed to disk before it
    /// returns. A sequence at or before the last held replaces that record and every later one (a log rewritten after a
    /// crash or a promotion); a gap empties the log first.</summary>
    public void Append(long epoch, long sequence, ReadOnlySpan<byte> payload)
    {
        if (LastSequence is { } last && sequence != last + 1)
        {
            if (sequence > last || FirstSequence > sequence)
            {
                Clear();
            }
            else
            {
                TruncateFrom(sequence);
            }
        }
        var segment = _segments.Count > 0 && _segments[^1].Length < _segmentBytes ? _segments[^1] : NewSegment(sequence);
        var record = Frame(epoch, sequence, payload);
        using (var file = new FileStream(segment.Path, FileMode.Open, FileAccess.Write, FileShare.Read))
        {
            file.Seek(segment.Length, SeekOrigin.Begin);
            file.Write(record);
            file.Flush(flushToDisk: true);
        }
        _entries.Add(new Entry(epoch, sequence, segment, segment.Length, record.Length));
        segment.Length += record.Length;
        while (Bytes > _maxBytes && _segments.Count > 1)
        {
            var oldest = _segments[0];
            File.Delete(oldest.Path);
            _segments.RemoveAt(0);
            _entries.RemoveAll(e => e.Segment == oldest);
        }
    }

    /// <summary>The epoch of record <paramref name="sequence"/>, or null when it is not held.</summary>
    public long? EpochAt(long sequence) => IndexOf(sequence) is int i and >= 0 ? _entries[i].Epoch : null;

    /// <summary>The records after <paramref name="after"/> up to <paramref name="last"/>, read back from disk with
    /// their checksums checked; null when the log does not hold all of them or one fails its check (then
    /// <see cref="RejectedRecords"/> counts it and the log is cut before it).</summary>
    public IReadOnlyList<(long Epoch, long Sequence, byte[] Payload)>? Read(long after, long last)
    {
        if (after == last)
        {
            return [];
        }
        if (after > last || IndexOf(after + 1) is not int start || start < 0 || LastSequence < last)
        {
            return null;
        }
        var records = new List<(long, long, byte[])>();
        for (int i = start; i < _entries.Count && _entries[i].Sequence <= last; i++)
        {
            var entry = _entries[i];
            var bytes = new byte[entry.Length];
            using (var file = new FileStream(entry.Segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                file.Seek(entry.Offset, SeekOrigin.Begin);
                file.ReadExactly(bytes);
            }
            if (Unframe(bytes, out long epoch, out long sequence) is not { } payload || epoch != entry.Epoch || sequence != entry.Sequence)
            {
                RejectedRecords++;
                TruncateFrom(entry.Sequence);
                return null;
            }
            records.Add((epoch, sequence, payload));
        }
        return records;
    }

    /// <summary>Drops record <paramref name="sequence"/> and every later one.</summary>
    public void TruncateFrom(long sequence)
    {
        int i = _entries.FindIndex(e => e.Sequence >= sequence);
        if (i < 0)
        {
            return;
        }
        var cut = _entries[i];
        CutSegmentsAt(cut.Segment, cut.Offset);
        _entries.RemoveRange(i, _entries.Count - i);
    }

    /// <summary>Deletes every record.</summary>
    public void Clear()
    {
        foreach (var segment in _segments)
        {
            File.Delete(segment.Path);
        }
        _segments.Clear();
        _entries.Clear();
    }

    private int? IndexOf(long sequence) =>
        _entries.Count == 0 || sequence < _entries[0].Sequence || sequence > _entries[^1].Sequence
            ? null
            : (int)(sequence - _entries[0].Sequence); // sequences are consecutive

    private Segment NewSegment(long firstSequence)
    {
        var segment = new Segment(Path.Combine(_directory, firstSequence.ToString("D19", CultureInfo.InvariantCulture) + ".seg"));
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), FormatVersion);
        using (var file = new FileStream(segment.Path, FileMode.Create, FileAccess.Write, FileShare.Read))
        {
            file.Write(header);
            file.Flush(flushToDisk: true);
        }
        segment.Length = HeaderBytes;
        _segments.Add(segment);
        return segment;
    }

    /// <summary>Cuts <paramref name="segment"/> at <paramref name="offset"/> (deleting it when only its header would
    /// remain) and deletes every later segment.</summary>
    private void CutSegmentsAt(Segment segment, long offset)
    {
        int index = _segments.IndexOf(segment);
        for (int later = _segments.Count - 1; later > index; later--)
        {
            File.Delete(_segments[later].Path);
            _segments.RemoveAt(later);
        }
        if (offset <= HeaderBytes)
        {
            File.Delete(segment.Path);
            _segments.RemoveAt(index);
            return;
        }
        using (var file = new FileStream(segment.Path, FileMode.Open, FileAccess.Write, FileShare.Read))
        {
            file.SetLength(offset);
            file.Flush(flushToDisk: true);
        }
        segment.Length = offset;
    }

    private void Load()
    {
        var paths = Directory.GetFiles(_directory, "*.seg").Order(StringComparer.Ordinal).ToArray();
        foreach (var path in paths)
        {
            var segment = new Segment(path);
            var bytes = File.ReadAllBytes(path);
            bool intact = bytes.Length >= HeaderBytes && bytes.AsSpan(0, 8).SequenceEqual(Magic)
                && BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)) == FormatVersion;
            long offset = HeaderBytes;
            _segments.Add(segment);
            while (intact && offset < bytes.Length)
            {
                int length = bytes.Length - offset >= FrameBytes ? BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)offset)) : -1;
                if (length < BodyPrefixBytes || length > bytes.Length - offset - FrameBytes
                    || Unframe(bytes.AsSpan((int)offset, FrameBytes + length), out long epoch, out long sequence) is null
                    || (LastSequence is { } last && sequence != last + 1))
                {
                    intact = false;
                    break;
                }
                _entries.Add(new Entry(epoch, sequence, segment, offset, FrameBytes + length));
                offset += FrameBytes + length;
            }
            segment.Length = offset;
            if (!intact)
            {
                RejectedRecords++;
                CutSegmentsAt(segment, offset);
                for (int rest = Array.IndexOf(paths, path) + 1; rest < paths.Length; rest++)
                {
                    File.Delete(paths[rest]);
                }
                return;
            }
        }
    }

    private static byte[] Frame(long epoch, long sequence, ReadOnlySpan<byte> payload)
    {
        int length = BodyPrefixBytes + payload.Length;
        var record = new byte[FrameBytes + length];
        BinaryPrimitives.WriteInt32LittleEndian(record, length);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(FrameBytes), epoch);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(FrameBytes + 8), sequence);
        payload.CopyTo(record.AsSpan(FrameBytes + BodyPrefixBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Checksum(record));
        return record;
    }

    /// <summary>The payload of a whole framed record, or null when its length or checksum does not hold.</summary>
    private static byte[]? Unframe(ReadOnlySpan<byte> record, out long epoch, out long sequence)
    {
        epoch = sequence = 0;
        if (record.Length < FrameBytes + BodyPrefixBytes || BinaryPrimitives.ReadInt32LittleEndian(record) != record.Length - FrameBytes
            || BinaryPrimitives.ReadUInt32LittleEndian(record[4..]) != Checksum(record))
        {
            return null;
        }
        epoch = BinaryPrimitives.ReadInt64LittleEndian(record[FrameBytes..]);
        sequence = BinaryPrimitives.ReadInt64LittleEndian(record[(FrameBytes + 8)..]);
        return record[(FrameBytes + BodyPrefixBytes)..].ToArray();
    }

    /// <summary>CRC-32 of the length field and the body (the checksum field itself excluded).</summary>
    private static uint Checksum(ReadOnlySpan<byte> record)
    {
        var crc = new Crc32();
        crc.Append(record[..4]);
        crc.Append(record[FrameBytes..]);
        return crc.GetCurrentHashAsUInt32();
    }

    private sealed class Segment(string path)
    {
        public string Path { get; } = path;

        /// <summary>Bytes of the file that hold the header and intact records.</summary>
        public long Length { get; set; }
    }

    private readonly record struct Entry(long Epoch, long Sequence, Segment Segment, long Offset, int Length);
}

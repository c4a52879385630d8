using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using VectorDb.Storage.Records;

namespace VectorDb.Storage.Io;

/// <summary>
/// The durable commit point of a collection: two fixed 4 KiB slots written alternately (ping-pong), each holding the
/// staged FASTER commit metadata of the codes log and of the blob log, a sequence number and a CRC-32C. A slot is
/// overwritten in place and fsynced, so a commit costs one small write and one fsync, and the slot not being written
/// always holds the previous complete commit.
/// On open the valid slot with the highest sequence wins. A slot that fails its checksum is treated as damage and
/// the collection is refused (a torn slot write can only come from a power loss during a commit, and silently
/// falling back to the older slot could drop acknowledged writes); salvage may accept the older slot explicitly
/// (<see cref="Survey(string)"/>).
/// </summary>
/// <remarks>
/// Slot layout (little endian), WARNING: baked into every collection on disk:
/// <c>u32 magic "VDCS" | u16 version=1 | u16 0 | u64 sequence | u32 lenCodes | u32 lenBlobs | codes meta | blobs meta
/// | u32 CRC-32C of all preceding slot bytes</c>.
/// </remarks>
internal sealed class CommitSlotFile : IDisposable
{
    public const string FileName = "commit.slots";
    private const int SlotBytes = 4096;
    private const uint Magic = 0x53434456; // "VDCS"
    private const ushort Version = 1;
    private const int HeaderBytes = 24;

    private readonly SafeFileHandle _handle;
    private readonly byte[] _buffer = new byte[SlotBytes];
    private long _sequence;

    private CommitSlotFile(string path, SafeFileHandle handle, long sequence)
    {
        Path = path;
        _handle = handle;
        _sequence = sequence;
    }

    public string Path { get; }

    /// <summary>Creates an empty slot file (both slots zero) durably.</summary>
    public static void Create(string directory)
    {
        var path = System.IO.Path.Combine(directory, FileName);
        using (var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            RandomAccess.Write(handle, new byte[2 * SlotBytes], 0);
            RandomAccess.FlushToDisk(handle);
        }
        DirectorySync.Flush(directory);
    }

    /// <summary>Opens the slot file and returns the latest committed metadata pair (nulls when nothing was ever
    /// committed). Throws <see cref="StorageCorruptionException"/> on a damaged or truncated file.</summary>
    public static CommitSlotFile Open(string directory, out byte[]? codesCommit, out byte[]? blobsCommit)
    {
        var path = System.IO.Path.Combine(directory, FileName);
        var handle = OpenExisting(path);
        try
        {
            var survey = Survey(path, handle);
            if (survey.DamagedSlot is int damaged)
                throw new StorageCorruptionException(path, (long)damaged * SlotBytes, "commit slot checksum mismatch");
            codesCommit = survey.CodesCommit;
            blobsCommit = survey.BlobsCommit;
            return new CommitSlotFile(path, handle, survey.Sequence);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>For salvage: the newest intact commit, even when a slot is damaged, and what is known about the
    /// damaged slot. Throws <see cref="StorageCorruptionException"/> only when the file is missing or truncated.</summary>
    public static SlotSurvey Survey(string directory)
    {
        var path = System.IO.Path.Combine(directory, FileName);
        using var handle = OpenExisting(path);
        return Survey(path, handle);
    }

    private static SafeFileHandle OpenExisting(string path)
    {
        if (!File.Exists(path))
            throw new StorageCorruptionException(path, 0, "the commit slot file is missing");
        return File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
    }

    private static SlotSurvey Survey(string path, SafeFileHandle handle)
    {
        long length = RandomAccess.GetLength(handle);
        if (length < 2 * SlotBytes)
            throw new StorageCorruptionException(path, length, $"the commit slot file is truncated to {length} bytes");
        var survey = new SlotSurvey();
        var slot = new byte[SlotBytes];
        var claimed = new long?[2]; // sequence fields of damaged slots, unverified
        for (int i = 0; i < 2; i++)
        {
            RandomAccess.Read(handle, slot, (long)i * SlotBytes);
            switch (Parse(slot, out long sequence, out var codes, out var blobs))
            {
                case SlotState.Valid when sequence > survey.Sequence:
                    survey = survey with { Sequence = sequence, CodesCommit = codes, BlobsCommit = blobs };
                    break;
                case SlotState.Corrupt:
                    survey = survey with { DamagedSlot = survey.DamagedSlot ?? i, DamagedSlots = survey.DamagedSlots + 1 };
                    claimed[i] = BinaryPrimitives.ReadInt64LittleEndian(slot.AsSpan(8));
                    break;
            }
        }
        // Slots alternate (slot = sequence & 1), so a damaged slot last held either the commit just before the one
        // used (sequence - 1) or the one after it (sequence + 1, e.g. a write torn by a power loss). Only its own,
        // unverified sequence field can tell which; unless it reads exactly "the one before", a newer commit may
        // have been lost.
        bool mayBeNewer = false;
        for (int i = 0; i < 2; i++)
        {
            if (claimed[i] is long sequence)
                mayBeNewer |= survey.Sequence == 0 || sequence != survey.Sequence - 1 || (sequence & 1) != i;
        }
        return survey with { DamagedSlotMayBeNewer = mayBeNewer };
    }

    /// <summary>Writes the next slot and fsyncs it. Not thread-safe: the group committer is the only caller.</summary>
    public void Write(byte[]? codesCommit, byte[]? blobsCommit)
    {
        codesCommit ??= [];
        blobsCommit ??= [];
        if (HeaderBytes + codesCommit.Length + blobsCommit.Length + 4 > SlotBytes)
            throw new InvalidOperationException("FASTER commit metadata does not fit in a commit slot.");
        long sequence = _sequence + 1;
        var slot = _buffer.AsSpan();
        slot.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(slot, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(slot[4..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(slot[8..], sequence);
        BinaryPrimitives.WriteInt32LittleEndian(slot[16..], codesCommit.Length);
        BinaryPrimitives.WriteInt32LittleEndian(slot[20..], blobsCommit.Length);
        codesCommit.CopyTo(slot[HeaderBytes..]);
        blobsCommit.CopyTo(slot[(HeaderBytes + codesCommit.Length)..]);
        int crcAt = HeaderBytes + codesCommit.Length + blobsCommit.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(slot[crcAt..], Crc32C.Compute(slot[..crcAt]));
        RandomAccess.Write(_handle, slot, (sequence & 1) * SlotBytes);
        RandomAccess.FlushToDisk(_handle);
        _sequence = sequence;
    }

    public void Dispose() => _handle.Dispose();

    private enum SlotState { Empty, Valid, Corrupt }

    private static SlotState Parse(ReadOnlySpan<byte> slot, out long sequence, out byte[]? codes, out byte[]? blobs)
    {
        sequence = 0;
        codes = blobs = null;
        if (!slot.ContainsAnyExcept((byte)0))
            return SlotState.Empty;
        if (BinaryPrimitives.ReadUInt32LittleEndian(slot) != Magic)
            return SlotState.Corrupt;
        if (BinaryPrimitives.ReadUInt16LittleEndian(slot[4..]) != Version)
            throw new NotSupportedException(
                $"Commit slot format version {BinaryPrimitives.ReadUInt16LittleEndian(slot[4..])} is not supported " +
                $"by this build (supports {Version}); open the collection with the version that wrote it.");
        int codesLength = BinaryPrimitives.ReadInt32LittleEndian(slot[16..]);
        int blobsLength = BinaryPrimitives.ReadInt32LittleEndian(slot[20..]);
        if (codesLength < 0 || blobsLength < 0 || HeaderBytes + (long)codesLength + blobsLength + 4 > SlotBytes)
            return SlotState.Corrupt;
        int crcAt = HeaderBytes + codesLength + blobsLength;
        if (BinaryPrimitives.ReadUInt32LittleEndian(slot[crcAt..]) != Crc32C.Compute(slot[..crcAt]))
            return SlotState.Corrupt;
        sequence = BinaryPrimitives.ReadInt64LittleEndian(slot[8..]);
        // A log that has never committed (e.g. the blob log of a collection without originals) stores no metadata.
        codes = codesLength == 0 ? null : slot.Slice(HeaderBytes, codesLength).ToArray();
        blobs = blobsLength == 0 ? null : slot.Slice(HeaderBytes + codesLength, blobsLength).ToArray();
        return SlotState.Valid;
    }
}

/// <summary>What the commit slots hold, as salvage sees them.</summary>
/// <param name="Sequence">Sequence of the newest intact slot; 0 when no slot holds a commit.</param>
/// <param name="CodesCommit">Codes-log commit metadata of that slot (null: none).</param>
/// <param name="BlobsCommit">Blob-log commit metadata of that slot (null: none).</param>
/// <param name="DamagedSlots">Slots (0..2) that fail their checksum.</param>
/// <param name="DamagedSlot">Index of the first damaged slot, if any.</param>
/// <param name="DamagedSlotMayBeNewer">A damaged slot may have held a newer commit than the one used: its sequence
/// field does not read exactly one below the used slot's, or no slot is intact.</param>
internal readonly record struct SlotSurvey(long Sequence, byte[]? CodesCommit, byte[]? BlobsCommit, int DamagedSlots,
    int? DamagedSlot, bool DamagedSlotMayBeNewer);

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
/// <c>u32 magic "VDCS" | u16 version | u16 0 | u64 sequence | u32 lenCodes | u32 lenBlobs | [version 2: 16 bytes
/// collection identity] | codes meta | blobs meta | u32 CRC-32C of all preceding slot bytes</c>.
/// Version 2 (written since 2026-12 by collections with an identity, <see cref="CollectionManifest.CollectionId"/>)
/// binds the slot to its collection: a slot file copied from another collection is refused at open. Version 1 is
/// what collections created before identities write and read.
/// </remarks>
internal sealed class CommitSlotFile : IDisposable
{
    public const string FileName = "commit.slots";
    private const int SlotBytes = 4096;
    private const uint Magic = 0x53434456; // "VDCS"
    private const ushort Version1 = 1, Version2 = 2;
    private const int IdentityBytes = 16;

    private readonly SafeFileHandle _handle;
    private readonly byte[] _buffer = new byte[SlotBytes];
    private readonly byte[]? _identity;
    private long _sequence;

    private CommitSlotFile(string path, SafeFileHandle handle, long sequence, byte[]? identity)
    {
        Path = path;
        _handle = handle;
        _sequence = sequence;
        _identity = identity;
    }

    private static int HeaderBytes(ushort version) => version == Version1 ? 24 : 24 + IdentityBytes;

    private static byte[]? IdentityBytesOf(string? collectionId) => collectionId is null ? null : Convert.FromHexString(collectionId);

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
    /// committed). Throws <see cref="StorageCorruptionException"/> on a damaged or truncated file, or when a slot
    /// belongs to another collection than <paramref name="collectionId"/> (null: a collection created before
    /// identities, whose slots are version 1).</summary>
    public static CommitSlotFile Open(string directory, string? collectionId, out byte[]? codesCommit, out byte[]? blobsCommit)
    {
        var path = System.IO.Path.Combine(directory, FileName);
        var handle = OpenExisting(path);
        try
        {
            var survey = Survey(path, handle);
            if (survey.DamagedSlot is int damaged)
                throw new StorageCorruptionException(path, (long)damaged * SlotBytes, "commit slot checksum mismatch");
            for (int i = 0; i < 2; i++)
            {
                if (survey.Owners[i] is { } owner && owner != (collectionId ?? ""))
                    throw new StorageCorruptionException(path, (long)i * SlotBytes,
                        $"the commit slot belongs to {(owner.Length == 0 ? "a collection without identity (version 1 slot)" : "collection " + owner)}, " +
                        $"not to {(collectionId is null ? "this collection (created without identity)" : "collection " + collectionId)}; " +
                        "the slot file was copied from another collection");
            }
            codesCommit = survey.CodesCommit;
            blobsCommit = survey.BlobsCommit;
            return new CommitSlotFile(path, handle, survey.Sequence, IdentityBytesOf(collectionId));
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
        var survey = new SlotSurvey { Owners = new string?[2] };
        var slot = new byte[SlotBytes];
        var claimed = new long?[2]; // sequence fields of damaged slots, unverified
        for (int i = 0; i < 2; i++)
        {
            RandomAccess.Read(handle, slot, (long)i * SlotBytes);
            var state = Parse(slot, out long sequence, out var codes, out var blobs, out var owner);
            if (state == SlotState.Valid)
                survey.Owners[i] = owner;
            switch (state)
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
        ushort version = _identity is null ? Version1 : Version2;
        int header = HeaderBytes(version);
        if (header + codesCommit.Length + blobsCommit.Length + 4 > SlotBytes)
            throw new InvalidOperationException("FASTER commit metadata does not fit in a commit slot.");
        long sequence = _sequence + 1;
        var slot = _buffer.AsSpan();
        slot.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(slot, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(slot[4..], version);
        BinaryPrimitives.WriteInt64LittleEndian(slot[8..], sequence);
        BinaryPrimitives.WriteInt32LittleEndian(slot[16..], codesCommit.Length);
        BinaryPrimitives.WriteInt32LittleEndian(slot[20..], blobsCommit.Length);
        _identity?.CopyTo(slot[24..]);
        codesCommit.CopyTo(slot[header..]);
        blobsCommit.CopyTo(slot[(header + codesCommit.Length)..]);
        int crcAt = header + codesCommit.Length + blobsCommit.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(slot[crcAt..], Crc32C.Compute(slot[..crcAt]));
        RandomAccess.Write(_handle, slot, (sequence & 1) * SlotBytes);
        RandomAccess.FlushToDisk(_handle);
        _sequence = sequence;
    }

    public void Dispose() => _handle.Dispose();

    private enum SlotState { Empty, Valid, Corrupt }

    /// <summary>Reads one slot: its state and, when valid, its sequence, both logs' commit metadata and its owner
    /// (the collection identity in 32 hex digits, or "" for a version 1 slot).</summary>
    private static SlotState Parse(ReadOnlySpan<byte> slot, out long sequence, out byte[]? codes, out byte[]? blobs, out string? owner)
    {
        sequence = 0;
        codes = blobs = null;
        owner = null;
        if (!slot.ContainsAnyExcept((byte)0))
            return SlotState.Empty;
        if (BinaryPrimitives.ReadUInt32LittleEndian(slot) != Magic)
            return SlotState.Corrupt;
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(slot[4..]);
        if (version is not (Version1 or Version2))
            throw new NotSupportedException(
                $"Commit slot format version {version} is not supported by this build (supports {Version1} and " +
                $"{Version2}); open the collection with the version that wrote it.");
        int header = HeaderBytes(version);
        int codesLength = BinaryPrimitives.ReadInt32LittleEndian(slot[16..]);
        int blobsLength = BinaryPrimitives.ReadInt32LittleEndian(slot[20..]);
        if (codesLength < 0 || blobsLength < 0 || header + (long)codesLength + blobsLength + 4 > SlotBytes)
            return SlotState.Corrupt;
        int crcAt = header + codesLength + blobsLength;
        if (BinaryPrimitives.ReadUInt32LittleEndian(slot[crcAt..]) != Crc32C.Compute(slot[..crcAt]))
            return SlotState.Corrupt;
        sequence = BinaryPrimitives.ReadInt64LittleEndian(slot[8..]);
        owner = version == Version1 ? "" : Convert.ToHexStringLower(slot.Slice(24, IdentityBytes));
        // A log that has never committed (e.g. the blob log of a collection without originals) stores no metadata.
        codes = codesLength == 0 ? null : slot.Slice(header, codesLength).ToArray();
        blobs = blobsLength == 0 ? null : slot.Slice(header + codesLength, blobsLength).ToArray();
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
/// <param name="Owners">Per slot: the collection identity of an intact slot ("" for version 1), null when empty or damaged.</param>
internal readonly record struct SlotSurvey(long Sequence, byte[]? CodesCommit, byte[]? BlobsCommit, int DamagedSlots,
    int? DamagedSlot, bool DamagedSlotMayBeNewer, string?[] Owners);

namespace VectorDb.Storage.Io;

/// <summary>
/// Page and segment sizes (log2) of a collection's two logs, fixed when the collection is created: FASTER's
/// addresses map to file offsets through them, so they must never change for existing files (memory budgets may).
/// </summary>
/// <param name="CodesPageBits">log2 of the codes log's page size.</param>
/// <param name="BlobPageBits">log2 of the blob log's page size.</param>
/// <param name="SegmentBits">log2 of the segment file size of both logs.</param>
/// <param name="Identity">The collection this file belongs to (version 2 files; null in version 1 files).</param>
internal sealed record LogLayout(int CodesPageBits, int BlobPageBits, int SegmentBits, CollectionIdentity? Identity = null);

/// <summary>Reads and writes <c>logs.vdb</c>, written once at creation. Version 2 (written since 2026-12):
/// <c>"VDBLOGS2" | u32 envelope version = 2 | i32 JSON length | JSON | u32 CRC-32C</c>, the JSON holding the sizes and
/// the collection's <see cref="CollectionIdentity"/>. Version 1 (read, never written): <c>"DVDBLOS1" | i32 JSON length
/// | JSON | u32 CRC-32C</c> without a version field or identity (the magic was meant to read "VDBLOGS1" but its
/// constant spells "DVDBLOS1" in file order; that is what those files hold).
/// WARNING: both are baked into collections on disk.</summary>
internal static class LogLayoutFile
{
    public const string FileName = "logs.vdb";

    // Plausible sizes: a page of 512 B .. 1 GiB (entries are addressed within a page by an int), a segment of at
    // least one page and at most 1 TiB. Anything else is damage (or a bad hand edit), not a layout to try.
    private const int MinPageBits = 9, MaxPageBits = 30, MaxSegmentBits = 40;

    private static readonly JsonEnvelope Version1 = new(FileName, "log layout", Magic: 0x31534F4C42445644, // "DVDBLOS1" in file order
        Version: null, Json: null);

    private static readonly JsonEnvelope Envelope = new(FileName, "log layout", Magic: 0x3253474F4C424456, // "VDBLOGS2" in file order
        Version: 2, Json: null);

    /// <summary>Writes a version 2 file; <paramref name="layout"/> must carry the collection's identity.</summary>
    public static void Write(string directory, LogLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout.Identity);
        ChecksummedJsonFile.Write(directory, Envelope, layout);
    }

    /// <summary>Reads and verifies the layout (either version); damage or implausible sizes are a
    /// <see cref="StorageCorruptionException"/>.</summary>
    public static LogLayout Read(string directory)
    {
        bool version1 = IsVersion1(directory);
        var envelope = version1 ? Version1 : Envelope;
        var layout = ChecksummedJsonFile.Read<LogLayout>(directory, envelope);
        if (layout.CodesPageBits is < MinPageBits or > MaxPageBits || layout.BlobPageBits is < MinPageBits or > MaxPageBits ||
            layout.SegmentBits < Math.Max(layout.CodesPageBits, layout.BlobPageBits) || layout.SegmentBits > MaxSegmentBits)
            throw new StorageCorruptionException(Path.Combine(directory, FileName), envelope.HeaderBytes,
                $"the log layout sizes are out of range ({layout with { Identity = null }}): page bits must be in " +
                $"{MinPageBits}..{MaxPageBits} and segment bits in max(page bits)..{MaxSegmentBits}");
        if (version1)
            return layout with { Identity = null };
        if (layout.Identity is null || !CollectionManifest.IsValidCollectionId(layout.Identity.CollectionId))
            throw new StorageCorruptionException(Path.Combine(directory, FileName), envelope.HeaderBytes,
                $"the version 2 log layout has no valid collection identity (got '{layout.Identity?.CollectionId}')");
        return layout;
    }

    /// <summary>True when the file starts with the version 1 magic (anything else is read as version 2, whose
    /// reader reports a wrong magic, a short file or a missing file).</summary>
    private static bool IsVersion1(string directory)
    {
        var path = Path.Combine(directory, FileName);
        Span<byte> magic = stackalloc byte[8];
        try
        {
            using var handle = File.OpenHandle(path);
            return RandomAccess.Read(handle, magic, 0) == 8 &&
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(magic) == Version1.Magic;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }
}

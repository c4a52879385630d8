namespace VectorDb.Storage.Io;

/// <summary>
/// Page and segment sizes (log2) of a collection's two logs, fixed when the collection is created: FASTER's
/// addresses map to file offsets through them, so they must never change for existing files (memory budgets may).
/// </summary>
internal sealed record LogLayout(int CodesPageBits, int BlobPageBits, int SegmentBits);

/// <summary>Reads and writes <c>logs.vdb</c>: <c>"DVDBLOS1" | i32 JSON length | JSON | u32 CRC-32C</c> (a
/// <see cref="JsonEnvelope"/> without a version field), written once at creation.
/// WARNING: baked into every collection on disk. The magic was meant to read "VDBLOGS1" but its constant spells
/// "DVDBLOS1" in file order; that is what every existing file holds, so it stays.</summary>
internal static class LogLayoutFile
{
    public const string FileName = "logs.vdb";

    // Plausible sizes: a page of 512 B .. 1 GiB (entries are addressed within a page by an int), a segment of at
    // least one page and at most 1 TiB. Anything else is damage (or a bad hand edit), not a layout to try.
    private const int MinPageBits = 9, MaxPageBits = 30, MaxSegmentBits = 40;

    private static readonly JsonEnvelope Envelope = new(FileName, "log layout", Magic: 0x31534F4C42445644, // "DVDBLOS1" in file order
        Version: null, Json: null);

    public static void Write(string directory, LogLayout layout) => ChecksummedJsonFile.Write(directory, Envelope, layout);

    /// <summary>Reads and verifies the layout; damage or implausible sizes are a <see cref="StorageCorruptionException"/>.</summary>
    public static LogLayout Read(string directory)
    {
        var layout = ChecksummedJsonFile.Read<LogLayout>(directory, Envelope);
        if (layout.CodesPageBits is < MinPageBits or > MaxPageBits || layout.BlobPageBits is < MinPageBits or > MaxPageBits ||
            layout.SegmentBits < Math.Max(layout.CodesPageBits, layout.BlobPageBits) || layout.SegmentBits > MaxSegmentBits)
            throw new StorageCorruptionException(Path.Combine(directory, FileName), Envelope.HeaderBytes,
                $"the log layout sizes are out of range ({layout}): page bits must be in {MinPageBits}..{MaxPageBits} " +
                $"and segment bits in max(page bits)..{MaxSegmentBits}");
        return layout;
    }
}

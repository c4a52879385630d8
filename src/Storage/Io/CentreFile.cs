namespace VectorDb.Storage.Io;

/// <summary>
/// Reads and writes <c>centre.vdb</c>, a collection's code centre (the mean its format-2 codes are residuals to,
/// docs/codec.md "Centred codes"): <c>"VDBCENTR" | u32 envelope version = 1 | i32 JSON length | UTF-8 JSON of
/// <see cref="StoredCentre"/> | u32 CRC-32C</c> (a <see cref="JsonEnvelope"/>; floats round-trip exactly as JSON numbers).
/// Written once, atomically, before the first record encoded against it; absent until then. WARNING: baked into every
/// centred collection on disk.
/// </summary>
internal static class CentreFile
{
    public const string FileName = "centre.vdb";

    private static readonly JsonEnvelope Envelope = new(FileName, "centre", Magic: 0x52544E4543424456, // "VDBCENTR"
        Version: 1, Json: null);

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, FileName));

    public static void Write(string directory, StoredCentre centre) => ChecksummedJsonFile.Write(directory, Envelope, centre);

    /// <summary>Reads and verifies the file; damage is a <see cref="StorageCorruptionException"/>.</summary>
    public static StoredCentre Read(string directory) => ChecksummedJsonFile.Read<StoredCentre>(directory, Envelope);
}

/// <summary>The JSON body of <c>centre.vdb</c>.</summary>
/// <param name="Dimension">Coordinates (must equal the manifest's dimension).</param>
/// <param name="Vector">The centre, <paramref name="Dimension"/> finite floats.</param>
/// <param name="CollectionId">The collection it belongs to (the manifest's identity; null for a collection without one).</param>
internal sealed record StoredCentre(int Dimension, float[] Vector, string? CollectionId = null);

using System.Buffers.Binary;
using System.Text;
using VectorDb.Index.Common;

namespace VectorDb.Storage.CrashChild;

/// <summary>
/// What the crash child writes and prints, shared with the test that kills it. Every point's bytes are a pure
/// function of (id, version): the original is a real GloVe vector (row id mod N), the codes are seeded bytes and
/// the payload names the id and version, so the test can recompute the exact bytes of any intended write.
/// Output lines (each batch's lines are flushed before the write is issued; an ack line after it completes):
/// <c>READY</c>, <c>I writer id version</c> (upsert intent), <c>D writer id</c> (delete intent),
/// <c>A writer</c> (every intent of that writer since its previous ack is durable), <c>C+</c>/<c>C-</c> around a
/// compaction and <c>F+</c>/<c>F-</c> around a checkpoint (flush).
/// </summary>
public static class CrashProtocol
{
    public const string CollectionName = "crash";
    public const int Writers = 2;
    public const int IdRange = 3000;
    public const int CodeBytes = 52;

    public static CollectionManifest Manifest(int dimension) => new()
    {
        Dimension = dimension,
        Metric = "Cosine",
        Scheme = "TurboQuant",
        Bits = 4,
        RotationSeed = 7,
        RotationRounds = 3,
        CodebookId = "crash-test",
        CodeLayoutVersion = 1,
        CodeBytesPerVector = CodeBytes,
        OriginalFormat = OriginalsFormat.Float32,
        MaxPayloadBytes = 128,
    };

    /// <summary>Small segments and memory so pages spill, segments roll and compaction deletes files often.</summary>
    public static StorageOptions Options => new()
    {
        BlobLogMemoryBytes = 1 << 20,
        CodesLogMemoryBytes = 1 << 20,
        SegmentSizeBits = 20,
        BackgroundCompactionGarbageRatio = null,
        BufferedCommitInterval = TimeSpan.FromMilliseconds(20),
    };

    public static PointWrite Point(ReadOnlySpan<float> vectors, int dimension, ulong id, ulong version)
    {
        int rows = vectors.Length / dimension;
        var original = new byte[dimension * 4];
        var row = vectors.Slice((int)(id % (ulong)rows) * dimension, dimension);
        for (int i = 0; i < dimension; i++)
            BinaryPrimitives.WriteSingleLittleEndian(original.AsSpan(i * 4), row[i]);
        var rng = new SplitMix64(id * 0x9E3779B97F4A7C15UL ^ version);
        var codes = new byte[CodeBytes];
        for (int i = 0; i < codes.Length; i++)
            codes[i] = (byte)rng.NextUInt64();
        var payload = Encoding.UTF8.GetBytes($"{{\"id\":{id},\"version\":{version}}}");
        return new PointWrite(id, codes, original, payload);
    }

    /// <summary>Version named in a payload written by <see cref="Point"/>, or null if it is not such a payload.</summary>
    public static ulong? VersionOf(byte[] payload)
    {
        var text = Encoding.UTF8.GetString(payload);
        int at = text.IndexOf("\"version\":", StringComparison.Ordinal);
        return at >= 0 && ulong.TryParse(text.AsSpan(at + 10).TrimEnd('}'), out ulong version) ? version : null;
    }
}

using VectorDb.Index.Common;

namespace VectorDb.Storage.Tests;

/// <summary>Seeded test manifests and point contents.</summary>
internal static class TestData
{
    public static CollectionManifest SmallManifest(OriginalsFormat format = OriginalsFormat.Float32) => new()
    {
        Dimension = 8,
        Metric = "Cosine",
        Scheme = "TurboQuant",
        Bits = 4,
        RotationSeed = 42,
        RotationRounds = 3,
        CodebookId = "lloyd-max-gauss-4",
        CodeLayoutVersion = 1,
        CodeBytesPerVector = 12,
        OriginalFormat = format,
        MaxPayloadBytes = 256,
    };

    /// <summary>Options for tests: small memory budgets and segments so that pages spill to disk and compaction
    /// frees whole segments quickly; no background compaction unless a test asks for it.</summary>
    public static StorageOptions SmallOptions => new()
    {
        BlobLogMemoryBytes = 1 << 20,
        CodesLogMemoryBytes = 1 << 20,
        SegmentSizeBits = 20,
        BackgroundCompactionGarbageRatio = null,
        BufferedCommitInterval = TimeSpan.FromMilliseconds(20),
    };

    /// <summary>A point whose every byte is derived from (id, version), so tests can recompute expected bytes.</summary>
    public static PointWrite Point(CollectionManifest manifest, ulong id, ulong version, int payloadBytes, string? key = null)
    {
        var rng = new SplitMix64(id * 0x9E3779B97F4A7C15UL ^ version);
        return new PointWrite(id, Bytes(ref rng, manifest.CodeBytesPerVector), Bytes(ref rng, manifest.OriginalBytesPerVector),
            Bytes(ref rng, payloadBytes), key);
    }

    public static byte[] Bytes(ref SplitMix64 rng, int count)
    {
        var bytes = new byte[count];
        for (int i = 0; i < count; i++)
            bytes[i] = (byte)rng.NextUInt64();
        return bytes;
    }
}

/// <summary>A reference-type holder for <see cref="SplitMix64"/>, so async test helpers can share one stream.</summary>
internal sealed class SeededRandom(ulong seed)
{
    private SplitMix64 _state = new(seed);

    public int NextInt(int exclusiveMax) => _state.NextInt(exclusiveMax);

    public ulong NextUInt64() => _state.NextUInt64();
}

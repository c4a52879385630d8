namespace VectorDb.Storage;

/// <summary>
/// Everything needed to interpret a collection's stored bytes. Persisted (checksummed) when the collection is
/// created and immutable afterwards; reopening with a manifest that differs in any field that defines the stored
/// bytes is refused with <see cref="CollectionMismatchException"/>.
/// The storage layer treats codes as opaque fixed-size byte strings: <see cref="Metric"/>, <see cref="Scheme"/>,
/// rotation and codebook fields are recorded and compared, never interpreted here.
/// </summary>
public sealed record CollectionManifest
{
    /// <summary>Storage record layout this build writes. Version 2 (since 2026-12) has the same entry bytes as 1, but
    /// an entry's key is its point's UUID id (canonical text) and the entry's point id an internal slot chosen by the
    /// engine: a build that reads only version 1 would serve such points under wrong numeric ids, so it must refuse
    /// them. Version 1 collections (no keyed points) are still read; they cannot take UUID ids.
    /// WARNING: baked into every stored record; bump only together with a new entry layout or key meaning.</summary>
    public const int CurrentRecordLayoutVersion = 2;

    /// <summary>Oldest record layout this build reads (see <see cref="CurrentRecordLayoutVersion"/>).</summary>
    public const int OldestReadableRecordLayoutVersion = 1;

    /// <summary>First record layout whose entry keys are UUID point ids.</summary>
    public const int UuidKeysRecordLayoutVersion = 2;

    /// <summary>Random 128-bit identity of the collection, 32 lowercase hex digits, assigned by
    /// <see cref="CollectionCatalogue.CreateCollection"/> (whatever the caller passes is replaced) and written into every
    /// metadata file of the collection (<c>manifest.vdb</c>, <c>logs.vdb</c>, the commit slots), so that a file copied
    /// from another collection is refused at open. Null only for collections created before it existed (manifest
    /// envelope version 1). Not compared by <see cref="EnsureMatches"/>.</summary>
    public string? CollectionId { get; init; }

    /// <summary>Vector dimension (coordinates per original vector).</summary>
    public required int Dimension { get; init; }

    /// <summary>Similarity metric name as the engine spells it (e.g. "Cosine", "InnerProduct", "L2").</summary>
    public required string Metric { get; init; }

    /// <summary>Quantization scheme name (e.g. "TurboQuant", "Eden").</summary>
    public required string Scheme { get; init; }

    /// <summary>Bits per coordinate of the codes (1-8).</summary>
    public required int Bits { get; init; }

    /// <summary>Seed of the randomized Hadamard rotation.</summary>
    public ulong RotationSeed { get; init; }

    /// <summary>Number of rotation rounds.</summary>
    public int RotationRounds { get; init; }

    /// <summary>Identifier of the codebook the codes refer to.</summary>
    public string CodebookId { get; init; } = "";

    /// <summary>Version of the codec's per-vector code layout (codes + metadata), owned by the codec.</summary>
    public int CodeLayoutVersion { get; init; }

    /// <summary>Exact size of one vector's codes and per-vector metadata, in bytes.</summary>
    public required int CodeBytesPerVector { get; init; }

    /// <summary>How originals are kept.</summary>
    public OriginalsFormat OriginalFormat { get; init; } = OriginalsFormat.Float32;

    /// <summary>Largest accepted payload (JSON bytes) per point.</summary>
    public int MaxPayloadBytes { get; init; } = 64 * 1024;

    /// <summary>Storage record layout of this collection (see <see cref="CurrentRecordLayoutVersion"/>).</summary>
    public int RecordLayoutVersion { get; init; } = CurrentRecordLayoutVersion;

    /// <summary>Free-form engine options recorded with the collection (compared on reopen).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>Exact size of one original vector in bytes (0 when <see cref="OriginalFormat"/> is None).</summary>
    public int OriginalBytesPerVector => OriginalFormat switch
    {
        OriginalsFormat.Float32 => checked(Dimension * 4),
        OriginalsFormat.Float16 => checked(Dimension * 2),
        _ => 0,
    };

    /// <summary>True for 32 lowercase hex digits.</summary>
    internal static bool IsValidCollectionId(string? id) =>
        id is { Length: 32 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>A fresh random identity (see <see cref="CollectionId"/>).</summary>
    internal static string NewCollectionId() =>
        Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (Dimension is < 1 or > 65_536)
            throw new ArgumentException($"Dimension must be in 1..65536, got {Dimension}.", nameof(Dimension));
        if (string.IsNullOrWhiteSpace(Metric))
            throw new ArgumentException("Metric must be named (e.g. \"Cosine\").", nameof(Metric));
        if (string.IsNullOrWhiteSpace(Scheme))
            throw new ArgumentException("Scheme must be named (e.g. \"TurboQuant\").", nameof(Scheme));
        if (Bits is < 1 or > 8)
            throw new ArgumentException($"Bits must be in 1..8, got {Bits}.", nameof(Bits));
        if (RotationRounds < 0)
            throw new ArgumentException($"RotationRounds must be >= 0, got {RotationRounds}.", nameof(RotationRounds));
        if (CodeBytesPerVector is < 1 or > 1 << 20)
            throw new ArgumentException($"CodeBytesPerVector must be in 1..1048576, got {CodeBytesPerVector}.", nameof(CodeBytesPerVector));
        if (!Enum.IsDefined(OriginalFormat))
            throw new ArgumentException($"OriginalFormat {(int)OriginalFormat} is not a known format.", nameof(OriginalFormat));
        if (MaxPayloadBytes is < 0 or > 16 << 20)
            throw new ArgumentException($"MaxPayloadBytes must be in 0..16 MiB, got {MaxPayloadBytes}.", nameof(MaxPayloadBytes));
        if (RecordLayoutVersion != CurrentRecordLayoutVersion)
            throw new ArgumentException(
                $"RecordLayoutVersion {RecordLayoutVersion} cannot be written by this build (writes {CurrentRecordLayoutVersion}).",
                nameof(RecordLayoutVersion));
        ArgumentNullException.ThrowIfNull(Options);
    }

    /// <summary>Throws <see cref="CollectionMismatchException"/> if <paramref name="requested"/> differs from this
    /// (stored) manifest in any field.</summary>
    internal void EnsureMatches(CollectionManifest requested, string collection)
    {
        Check(nameof(Dimension), Dimension, requested.Dimension);
        Check(nameof(Metric), Metric, requested.Metric);
        Check(nameof(Scheme), Scheme, requested.Scheme);
        Check(nameof(Bits), Bits, requested.Bits);
        Check(nameof(RotationSeed), RotationSeed, requested.RotationSeed);
        Check(nameof(RotationRounds), RotationRounds, requested.RotationRounds);
        Check(nameof(CodebookId), CodebookId, requested.CodebookId);
        Check(nameof(CodeLayoutVersion), CodeLayoutVersion, requested.CodeLayoutVersion);
        Check(nameof(CodeBytesPerVector), CodeBytesPerVector, requested.CodeBytesPerVector);
        Check(nameof(OriginalFormat), OriginalFormat, requested.OriginalFormat);
        Check(nameof(MaxPayloadBytes), MaxPayloadBytes, requested.MaxPayloadBytes);
        Check(nameof(RecordLayoutVersion), RecordLayoutVersion, requested.RecordLayoutVersion);
        Check(nameof(Options), Describe(Options), Describe(requested.Options));

        void Check<T>(string field, T stored, T asked)
        {
            if (!EqualityComparer<T>.Default.Equals(stored, asked))
                throw new CollectionMismatchException(collection, field, $"{stored}", $"{asked}");
        }
    }

    private static string Describe(IReadOnlyDictionary<string, string> options) =>
        "{" + string.Join(", ", options.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}")) + "}";
}

using System.Globalization;
using VectorDb.Engine;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rotation;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb;

/// <summary>
/// What defines a collection. Everything here is persisted in the collection's manifest when it is created and
/// cannot change afterwards (it defines the meaning of the stored bytes).
/// </summary>
/// <param name="Dimension">Coordinates per vector.</param>
/// <param name="Metric">Inner product, cosine (vectors normalised before encoding) or squared L2.</param>
/// <param name="Scheme">Quantizer; eden-unbiased (unbiased inner products) by default.</param>
/// <param name="Bits">Bits per coordinate, 1..8 (4 by default: 8x smaller than float32).</param>
/// <param name="Originals">How the original vectors are kept for exact re-ranking (float32 by default).</param>
/// <param name="Index">IVF (the default): an exhaustive flat scan until the collection holds
/// <see cref="DatabaseOptions.IvfTrainingThreshold"/> points (below that flat is as fast or faster), then lists trained
/// in the background; or Flat: always the exhaustive scan (exact-recall candidates at any size, slower above ~50,000).</param>
/// <param name="NList">IVF lists; 0 = about 4·√n chosen at training.</param>
/// <param name="RotationSeed">Seed of the randomized Hadamard rotation.</param>
/// <param name="RotationRounds">Rotation rounds (sign flip + Hadamard transform).</param>
/// <param name="ClusteringSeed">Seed of the IVF k-means.</param>
public sealed record CollectionConfig(
    int Dimension,
    Metric Metric = Metric.Cosine,
    QuantizerScheme Scheme = QuantizerScheme.EdenUnbiased,
    int Bits = CollectionConfig.DefaultBits,
    OriginalsFormat Originals = OriginalsFormat.Float32,
    IndexLayout Index = IndexLayout.Ivf,
    int NList = 0,
    ulong RotationSeed = CollectionConfig.DefaultRotationSeed,
    int RotationRounds = CollectionConfig.DefaultRotationRounds,
    ulong ClusteringSeed = CollectionConfig.DefaultClusteringSeed)
{
    public const int DefaultBits = 4;

    /// <summary>Rotation rounds used when none is given (<see cref="HadamardRotation.DefaultRounds"/>).</summary>
    public const int DefaultRotationRounds = HadamardRotation.DefaultRounds;

    /// <summary>Most rotation rounds a collection may have (<see cref="HadamardRotation.MaxRounds"/>).</summary>
    public const int MaxRotationRounds = HadamardRotation.MaxRounds;

    /// <summary>Record format of the stored codes: <see cref="CodeLayout.LayoutVersion"/> (2, centred codes) for new
    /// collections; collections created before it keep <see cref="CodeLayout.UncentredLayoutVersion"/> (1) and are
    /// served as they were (docs/codec.md "Centred codes").</summary>
    public int CodeFormat { get; init; } = CodeLayout.LayoutVersion;

    /// <summary>Format 2, eden-unbiased: store the ranking scale ρ·S instead of S (<see cref="VectorIndexOptions.RhoRanking"/>);
    /// off by default. Persisted: it defines the stored scale.</summary>
    public bool RhoRanking { get; init; }

    /// <summary>Format 2: codebook scalings tried per vector at encode (<see cref="VectorIndexOptions.ScaleSearch"/>);
    /// 0 = the default for the bit width. Persisted so that later writes choose codes as earlier ones did.</summary>
    public int ScaleSearch { get; init; }

    /// <summary>Rotation seed used when none is given. WARNING: baked into every collection created with it (it is
    /// persisted per collection, so changing this constant affects only new collections).</summary>
    public const ulong DefaultRotationSeed = 0x5EED_0F_1D_BADC0DE;

    /// <summary>IVF k-means seed used when none is given (persisted per collection).</summary>
    public const ulong DefaultClusteringSeed = 0x5EED;

    private const string IndexOption = "index";
    private const string NListOption = "nlist";
    private const string ClusteringSeedOption = "clustering-seed";
    private const string RhoRankingOption = "rho-ranking";
    private const string ScaleSearchOption = "scale-search";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field and what to use instead.</summary>
    public void Validate(EngineLimits limits)
    {
        if (Dimension < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Dimension), Dimension, "dimension must be at least 1.");
        }
        if (Dimension > limits.MaxDimension)
        {
            throw new LimitExceededException($"dimension {Dimension} exceeds the limit of {limits.MaxDimension}.", nameof(Dimension));
        }
        if (!Enum.IsDefined(Metric))
        {
            throw new ArgumentOutOfRangeException(nameof(Metric), Metric, "metric must be InnerProduct, Cosine or L2.");
        }
        if (!Enum.IsDefined(Originals))
        {
            throw new ArgumentOutOfRangeException(nameof(Originals), Originals, "originals must be Float32, Float16 or None.");
        }
        if (!Enum.IsDefined(Index))
        {
            throw new ArgumentOutOfRangeException(nameof(Index), Index, "index must be Flat or Ivf.");
        }
        if (NList < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(NList), NList, "nlist must be ≥ 0 (0 = chosen from the size).");
        }
        QuantizerOptions().Validate();
    }

    /// <summary>The codec parameters of this collection.</summary>
    internal QuantizerOptions QuantizerOptions() =>
        new(Dimension, Bits, RotationSeed, Scheme, Codebook.GaussianId, RotationRounds);

    /// <summary>The in-memory index options of this collection.</summary>
    internal VectorIndexOptions IndexOptions() => new(
        QuantizerOptions(),
        Metric,
        Originals,
        Index,
        NList,
        ClusteringSeed,
        CodeFormat,
        RhoRanking: RhoRanking,
        ScaleSearch: ScaleSearch > 0 ? ScaleSearch : null);

    /// <summary>The persisted manifest.</summary>
    internal CollectionManifest ToManifest(int maxPayloadBytes)
    {
        var quantizer = QuantizerOptions();
        return new CollectionManifest
        {
            Dimension = Dimension,
            Metric = Metric.ToString(),
            Scheme = Scheme.Id(),
            Bits = Bits,
            RotationSeed = RotationSeed,
            RotationRounds = RotationRounds,
            CodebookId = quantizer.CodebookId,
            CodeLayoutVersion = CodeFormat,
            CodeBytesPerVector = CodeLayout.For(quantizer).RecordSize,
            OriginalFormat = Originals,
            MaxPayloadBytes = maxPayloadBytes,
            Options = new Dictionary<string, string>
            {
                [IndexOption] = Index.ToString(),
                [NListOption] = NList.ToString(CultureInfo.InvariantCulture),
                [ClusteringSeedOption] = ClusteringSeed.ToString(CultureInfo.InvariantCulture),
                [RhoRankingOption] = RhoRanking ? "true" : "false",
                [ScaleSearchOption] = (ScaleSearch > 0 ? ScaleSearch : VectorIndexOptions.DefaultScaleSearch(Bits)).ToString(CultureInfo.InvariantCulture),
            },
        };
    }

    /// <summary>Reads the configuration back from a stored manifest; refuses manifests this build cannot serve.</summary>
    internal static CollectionConfig FromManifest(string name, CollectionManifest manifest)
    {
        if (manifest.CodeLayoutVersion is not (CodeLayout.UncentredLayoutVersion or CodeLayout.LayoutVersion))
        {
            throw new NotSupportedException(
                $"Collection '{name}' uses code layout version {manifest.CodeLayoutVersion}; this build reads versions {CodeLayout.UncentredLayoutVersion} and {CodeLayout.LayoutVersion}.");
        }
        if (manifest.CodebookId != Codebook.GaussianId)
        {
            throw new NotSupportedException($"Collection '{name}' uses codebook '{manifest.CodebookId}'; this engine serves '{Codebook.GaussianId}'.");
        }
        var config = new CollectionConfig(
            manifest.Dimension,
            Enum.Parse<Metric>(manifest.Metric),
            QuantizerSchemes.Parse(manifest.Scheme),
            manifest.Bits,
            manifest.OriginalFormat,
            manifest.Options.TryGetValue(IndexOption, out var index) ? Enum.Parse<IndexLayout>(index) : IndexLayout.Flat,
            manifest.Options.TryGetValue(NListOption, out var nlist) ? int.Parse(nlist, CultureInfo.InvariantCulture) : 0,
            manifest.RotationSeed,
            manifest.RotationRounds,
            manifest.Options.TryGetValue(ClusteringSeedOption, out var seed)
                ? ulong.Parse(seed, CultureInfo.InvariantCulture)
                : DefaultClusteringSeed)
        {
            CodeFormat = manifest.CodeLayoutVersion,
            RhoRanking = manifest.Options.TryGetValue(RhoRankingOption, out var rho) && rho == "true",
            // The stored count is the resolved one; equal to today's default it reads back as 0 ("the default").
            ScaleSearch = manifest.Options.TryGetValue(ScaleSearchOption, out var trials)
                && int.Parse(trials, CultureInfo.InvariantCulture) is var stored && stored != VectorIndexOptions.DefaultScaleSearch(manifest.Bits)
                ? stored : 0,
        };
        return config;
    }
}

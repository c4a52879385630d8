using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

/// <summary>What defines an index: the quantizer, the metric, the originals kept, and the partitioning.</summary>
/// <param name="Quantizer">Scheme, dimension, bits, rotation seed and rounds, codebook.</param>
/// <param name="Metric">Similarity; cosine vectors are normalised before encoding.</param>
/// <param name="Originals">How the originals kept for exact re-ranking are stored, or <see cref="OriginalsFormat.None"/>
/// to keep none.</param>
/// <param name="Kind">Flat or IVF.</param>
/// <param name="NList">IVF lists; 0 picks about 4·√n (a power of two) when the index is trained.</param>
/// <param name="ClusteringSeed">Seed of the IVF k-means. Persisted with the collection.</param>
/// <param name="CodeFormat">Record format: <see cref="CodeLayout.LayoutVersion"/> (2, centred codes, the default) or
/// <see cref="CodeLayout.UncentredLayoutVersion"/> (1: plain codes, what collections written before v2 hold).</param>
/// <param name="CentreSampleSize">Format 2: the collection centre is the mean of the first this many vectors (fixed
/// once, then persisted by the caller); 0 never centres. See <see cref="DefaultCentreSampleSize"/>.</param>
/// <param name="Centre">Format 2: a centre fixed earlier (a reopened collection's persisted one), or null.</param>
/// <param name="IvfResiduals">Format 2: after IVF training, code every vector as its residual to its list centroid
/// (re-encoded from the originals kept in memory, else from the decoded records).</param>
/// <param name="ScaleSearch">Format 2: scalings of the codebook tried per vector at encode (1 = none); null = default.</param>
/// <param name="RhoRanking">Format 2, eden-unbiased: whether records store the ranking scale ρ·S = ‖r‖/‖q‖ (ρ =
/// cos(r, r̂)) instead of the unbiased S. Off by default: with the candidates refined in float it lost on the text
/// embedding sets at every list count measured (bge-768, MiniLM-384: 2-5 points of recall@10 at b = 1) and won only
/// on GloVe-100 (docs/codec.md "Residual code lists").</param>
public sealed record VectorIndexOptions(
    QuantizerOptions Quantizer,
    Metric Metric,
    OriginalsFormat Originals = OriginalsFormat.Float32,
    IndexLayout Kind = IndexLayout.Flat,
    int NList = 0,
    ulong ClusteringSeed = 0x5EED,
    int CodeFormat = CodeLayout.LayoutVersion,
    int CentreSampleSize = VectorIndexOptions.DefaultCentreSampleSize,
    float[]? Centre = null,
    bool IvfResiduals = true,
    bool RhoRanking = false,
    int? ScaleSearch = null)
{
    /// <summary>Format 2: frame scalings tried per vector when encoding (1 = none); null = the default,
    /// <see cref="DefaultScaleSearch"/>. It changes which codes are chosen, not how records are read.</summary>
    public int EffectiveScaleSearch => ScaleSearch ?? DefaultScaleSearch(Quantizer.Bits);

    /// <summary>Scale search trials by default: 9 at b = 8, where it gained on every set measured, else none (it did
    /// not gain at b = 2 or 4); docs/codec.md "Centred codes".</summary>
    public static int DefaultScaleSearch(int bits) => bits == 8 ? 9 : 1;

    /// <summary>
    /// Vectors whose mean becomes the collection centre. The centre's error is the sample mean's: it adds about
    /// E‖x − μ‖²/n to every residual's squared norm, 0.1% at n = 1,024, while re-encoding the rows written before it
    /// (from originals or decoded codes) costs about 1,024 encodes once. Until then codes are uncentred.
    /// </summary>
    public const int DefaultCentreSampleSize = 1024;

    /// <summary>
    /// Size below which a flat scan is the better index. Measured on GloVe-100 slices, eden-unbiased 4-bit, auto
    /// re-rank, one thread, IVF with the default nlist ≈ 4·√n at the smallest nprobe reaching recall@10 ≥ 0.95: up to
    /// 10,000 vectors flat is as fast or faster and keeps recall@10 ≈ 1.0; from 25,000 to 50,000 neither is reliably
    /// faster (two runs disagree); at 100,000–200,000 IVF is 1.6–2.2× faster (bench/results/search-2026-11-22.md,
    /// "Flat or IVF by size"). 50,000 sits in the middle of that band. The engine's
    /// <c>DatabaseOptions.IvfTrainingThreshold</c> defaults to it.
    /// </summary>
    public const int FlatBelowVectors = 50_000;

    /// <summary>
    /// Vectors a format-2 index holds before it trains residual code lists (<see cref="VectorIndex.CodeListsDue"/>):
    /// k-means needs <see cref="VectorIndex.TrainingPointsPerList"/> points per list, and below a few lists of about
    /// <see cref="VectorsPerCodeList"/> vectors the collection mean centres the codes about as well.
    /// </summary>
    public const int CodeListsFromVectors = 4096;

    /// <summary>Vectors per residual code list: lists small enough that their centroids take a real share of each
    /// vector off its code (MiniLM-384 20k, b = 2, recall@10 over 5 seeds: 16 lists 0.8708, 32 lists 0.8786, 64 lists
    /// 0.8834), at a cost per query that grows with the lists (each list's centre term and partly empty last block in the
    /// pool, <see cref="CodeListBlocks"/>): GloVe 200k, b = 4, paired against mean-centred codes, about 1.05× the scan
    /// time with 16 lists and 1.1× with 256 for one query (bench/results/codes-v2-lists-2026-12-05.md).</summary>
    public const int VectorsPerCodeList = 512;

    /// <summary>Most residual code lists: every vector written after training is assigned to its nearest list (d
    /// multiply-adds per list: 196,608 at 256 lists and d = 768, not timed) and every query computes every list's centre
    /// term and scans each list's partly empty last block (above), so the count is capped.</summary>
    public const int MaxCodeLists = 256;

    /// <summary>Residual code lists an index of <paramref name="vectors"/> vectors trains: the power of two nearest
    /// n / <see cref="VectorsPerCodeList"/>, from 2 to <see cref="MaxCodeLists"/>.</summary>
    public static int DefaultCodeListCount(int vectors) =>
        1 << Math.Clamp((int)Math.Round(Math.Log2(Math.Max(1.0, (double)vectors / VectorsPerCodeList))), 1, 8);

    public int Dimension => Quantizer.Dimension;
}

/// <summary>Per-query knobs.</summary>
/// <param name="K">Results wanted (≥ 1).</param>
/// <param name="Rerank">Re-rank mode; <see cref="Reranking.None"/> is used when the index keeps no originals.</param>
/// <param name="Oversampling">Candidates per result taken from the code scan for re-ranking (≥ 1).</param>
/// <param name="NProbe">IVF lists scanned (0 = <see cref="ProbesFor"/> the list count; ignored by flat indexes).</param>
/// <param name="Confidence">z of the auto re-rank bound estimate + z·σ.</param>
/// <param name="Threads">Threads for one query's scan (1 = the calling thread only).</param>
public sealed record SearchOptions(
    int K,
    Reranking Rerank = Reranking.Auto,
    double Oversampling = SearchOptions.DefaultOversampling,
    int NProbe = 0,
    double Confidence = SearchOptions.DefaultConfidence,
    int Threads = 1)
{
    public const double DefaultOversampling = 8;
    public const double DefaultConfidence = 3;
    public const int DefaultNProbe = 16;

    /// <summary>Lists probed per query by default: one in 16 of them, at least <see cref="DefaultNProbe"/>. GloVe
    /// 200k with 1,024 lists (what the engine trains at 50,000 points), auto re-rank: nprobe 64 gives recall@10 0.975
    /// (nprobe 32: 0.944, 128: 0.990; bench/results/search-2026-11-22.md).</summary>
    public int ProbesFor(int lists) => NProbe > 0 ? NProbe : Math.Max(DefaultNProbe, lists / 16);

    /// <summary>Throws an ArgumentException naming the first invalid field.</summary>
    public void Validate()
    {
        if (K < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(K), K, "k must be at least 1.");
        }
        if (!(Oversampling >= 1) || double.IsInfinity(Oversampling))
        {
            throw new ArgumentOutOfRangeException(nameof(Oversampling), Oversampling, "oversampling must be a finite number ≥ 1.");
        }
        if (NProbe < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(NProbe), NProbe, "nprobe must be ≥ 0 (0 = default).");
        }
        if (!(Confidence >= 0) || double.IsInfinity(Confidence))
        {
            throw new ArgumentOutOfRangeException(nameof(Confidence), Confidence, "confidence z must be a finite number ≥ 0.");
        }
        if (Threads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "threads must be ≥ 1.");
        }
    }
}

/// <summary>One result: the point id and its score (inner product or cosine: larger is better; L2: squared
/// distance, smaller is better). Scores are exact when the hit was re-ranked, else estimates.</summary>
public readonly record struct SearchHit(ulong Id, float Score);

/// <summary>How much work one query took: exact re-scores, and candidates taken from the code scan.</summary>
public readonly record struct SearchStatistics(int Reranked, int Candidates);

/// <summary>Results of one query, best first, with how much work it took.</summary>
public sealed record SearchResult(SearchHit[] Hits, int Reranked, int Candidates);

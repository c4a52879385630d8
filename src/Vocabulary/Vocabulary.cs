namespace VectorDb;

// The words of a collection's definition and of a search (issue 15 point 3, issue 16 point 3: one vocabulary, defined
// once): the Index's codec, Storage's manifest, Datasets and the Engine's public API all use these types, in namespace
// VectorDb, so `using VectorDb;` is all an embedded caller imports and no layer maps one enum to another.
// WARNING: persisted. The manifest (manifest.vdb) stores member names and logs.vdb stores OriginalsFormat's numbers:
// never rename a member, never renumber one.

/// <summary>How similarity is measured. Larger is better for <see cref="InnerProduct"/> and <see cref="Cosine"/>,
/// smaller for <see cref="L2"/>.</summary>
public enum Metric
{
    /// <summary>Σ q_j·x_j.</summary>
    InnerProduct,

    /// <summary>Σ q_j·x_j / (‖q‖·‖x‖), defined as 0 when either norm is 0 (a collection normalises its vectors
    /// before encoding).</summary>
    Cosine,

    /// <summary>Squared Euclidean distance Σ (q_j − x_j)² (no square root: it does not change the order).</summary>
    L2,
}

/// <summary>Helpers on <see cref="Metric"/>.</summary>
public static class MetricExtensions
{
    /// <summary>True when a smaller score is a better match (only <see cref="Metric.L2"/>).</summary>
    public static bool SmallerIsBetter(this Metric metric) => metric == Metric.L2;
}

/// <summary>The quantizer that turns a vector into its stored code (docs/codec.md). All rotate with the same seeded
/// Hadamard rotation Π and quantize z = √d·Πx/‖x‖ with a Lloyd-Max codebook; they differ in the per-vector scale and
/// in whether a QJL residual is stored (algorithms.md §3–4). Persisted by its id (<see cref="QuantizerSchemes.Id"/>).</summary>
public enum QuantizerScheme
{
    /// <summary>"eden-unbiased" (the default): b-bit codes, scale S = ‖x‖²/⟨Πx, c⟩, so E⟨q, x̂⟩ = ⟨q, x⟩.</summary>
    EdenUnbiased,

    /// <summary>"eden-biased": b-bit codes, MSE-optimal scale S = ⟨Πx, c⟩/‖c‖² (least-squares projection).</summary>
    EdenBiased,

    /// <summary>"tq-mse" (TurboQuant_mse): b-bit codes, scale fixed by the norm: x̂ = ‖x‖·Πᵀc/√d.</summary>
    TurboQuantMse,

    /// <summary>"tq-prod" (TurboQuant_prod): (b−1)-bit tq-mse codes + 1-bit QJL signs of the residual + its norm.</summary>
    TurboQuantProd,
}

/// <summary>How a collection keeps each point's original vector for exact re-ranking. Arithmetic is float32 either
/// way. The numbers are persisted (logs.vdb's collection identity): never renumber.</summary>
public enum OriginalsFormat
{
    /// <summary>No originals: searches return the codes' estimates; gets return reconstructions.</summary>
    None = 0,

    /// <summary>4 bytes per coordinate, IEEE 754 binary32, little endian, as given.</summary>
    Float32 = 1,

    /// <summary>2 bytes per coordinate, IEEE 754 binary16 (round to nearest even), little endian; coordinates must
    /// stay within ±65504.</summary>
    Float16 = 2,
}

/// <summary>How a collection's codes are organised for scanning.</summary>
public enum IndexLayout
{
    /// <summary>One exhaustive scan over every code.</summary>
    Flat,

    /// <summary>Inverted file: codes partitioned into lists by seeded k-means, trained once the collection is large
    /// enough (the engine's <c>DatabaseOptions.IvfTrainingThreshold</c>); a query scans its nprobe nearest lists.</summary>
    Ivf,
}

/// <summary>How the candidates found on the codes are re-scored with the original vectors.</summary>
public enum Reranking
{
    /// <summary>Return the codes' estimates as they are.</summary>
    None,

    /// <summary>Re-score exactly the best ⌈k·oversampling⌉ estimates.</summary>
    Fixed,

    /// <summary>Among the best ⌈k·oversampling⌉ estimates, re-score only those whose upper confidence bound
    /// estimate + z·σ can still beat the k-th best exact score found so far (σ from the estimator's variance). The
    /// default; None when the collection keeps no originals.</summary>
    Auto,
}

/// <summary>Stable string ids of <see cref="QuantizerScheme"/> values, as the server, CLI and manifests write them.</summary>
public static class QuantizerSchemes
{
    /// <summary>Every scheme, default first.</summary>
    public static IReadOnlyList<QuantizerScheme> All { get; } =
        [QuantizerScheme.EdenUnbiased, QuantizerScheme.EdenBiased, QuantizerScheme.TurboQuantMse, QuantizerScheme.TurboQuantProd];

    /// <summary>The persisted id, e.g. "eden-unbiased". WARNING: baked into every stored collection manifest; never
    /// rename.</summary>
    public static string Id(this QuantizerScheme scheme) => scheme switch
    {
        QuantizerScheme.EdenUnbiased => "eden-unbiased",
        QuantizerScheme.EdenBiased => "eden-biased",
        QuantizerScheme.TurboQuantMse => "tq-mse",
        QuantizerScheme.TurboQuantProd => "tq-prod",
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown quantization scheme"),
    };

    /// <summary>Parses an id such as "tq-prod"; throws <see cref="ArgumentException"/> for an unknown one.</summary>
    public static QuantizerScheme Parse(string id)
    {
        foreach (var scheme in All)
        {
            if (string.Equals(scheme.Id(), id, StringComparison.Ordinal))
            {
                return scheme;
            }
        }
        throw new ArgumentException($"unknown quantization scheme '{id}'; expected one of {string.Join(", ", All.Select(s => s.Id()))}.", nameof(id));
    }

    /// <summary>
    /// Whether the inner-product estimate is unbiased (eden-unbiased, tq-prod). Unbiased schemes store the true norm
    /// ‖x‖ for L2/cosine; biased ones store ‖x̂‖, so their L2 estimate is the exact distance to the reconstruction.
    /// </summary>
    public static bool IsUnbiased(this QuantizerScheme scheme) =>
        scheme is QuantizerScheme.EdenUnbiased or QuantizerScheme.TurboQuantProd;
}

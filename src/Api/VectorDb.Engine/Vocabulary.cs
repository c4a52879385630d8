namespace VectorDb;

// The words an application passes to the engine (issue 15 point 3, issue 16 point 3's narrow Engine vocabulary):
// defined here, in namespace VectorDb, so that `using VectorDb;` is all an embedded caller imports. The engine maps
// them to the codec layer's own types (VocabularyMapping.cs, namespace VectorDb.Engine). Member names equal the codec
// layer's, and the persisted manifest stores those names, so renaming a member here changes what new collections
// record: never rename.

/// <summary>How similarity is measured. Larger is better for <see cref="InnerProduct"/> and <see cref="Cosine"/>,
/// smaller for <see cref="L2"/>.</summary>
public enum Metric
{
    /// <summary>Σ q_j·x_j.</summary>
    InnerProduct,

    /// <summary>Inner product of the normalised vectors (vectors are normalised before encoding).</summary>
    Cosine,

    /// <summary>Squared Euclidean distance Σ (q_j − x_j)².</summary>
    L2,
}

/// <summary>The quantizer that turns a vector into its stored code (docs/codec.md). Persisted by its id
/// (<see cref="QuantizerSchemes.Id"/>).</summary>
public enum QuantizerScheme
{
    /// <summary>"eden-unbiased" (the default): b-bit codes with an unbiased inner-product scale.</summary>
    EdenUnbiased,

    /// <summary>"eden-biased": b-bit codes with the least-squares (MSE-optimal) scale.</summary>
    EdenBiased,

    /// <summary>"tq-mse" (TurboQuant_mse): b-bit codes scaled by the vector's norm.</summary>
    TurboQuantMse,

    /// <summary>"tq-prod" (TurboQuant_prod): (b−1)-bit tq-mse codes plus 1-bit signs of the residual.</summary>
    TurboQuantProd,
}

/// <summary>How a collection keeps each point's original vector for exact re-ranking.</summary>
public enum OriginalsFormat
{
    /// <summary>No originals: searches return the codes' estimates; gets return reconstructions.</summary>
    None,

    /// <summary>4 bytes per coordinate, as given.</summary>
    Float32,

    /// <summary>2 bytes per coordinate (IEEE binary16); coordinates must stay within ±65504.</summary>
    Float16,
}

/// <summary>How a collection's codes are organised for scanning.</summary>
public enum IndexLayout
{
    /// <summary>One exhaustive scan over every code.</summary>
    Flat,

    /// <summary>Inverted file: codes partitioned into lists by seeded k-means, trained once the collection is large
    /// enough (<see cref="DatabaseOptions.IvfTrainingThreshold"/>); a query scans its nearest lists.</summary>
    Ivf,
}

/// <summary>How the candidates found on the codes are re-scored with the original vectors.</summary>
public enum Reranking
{
    /// <summary>Return the codes' estimates as they are.</summary>
    None,

    /// <summary>Re-score exactly the best ⌈k·oversampling⌉ estimates.</summary>
    Fixed,

    /// <summary>Re-score only the estimates whose confidence bound can still beat the k-th exact score (the
    /// default; None when the collection keeps no originals).</summary>
    Auto,
}

/// <summary>Stable string ids of <see cref="QuantizerScheme"/> values, as the server, CLI and manifests write them.</summary>
public static class QuantizerSchemes
{
    /// <summary>The id, e.g. "eden-unbiased".</summary>
    public static string Id(this QuantizerScheme scheme) =>
        VectorDb.Index.Quantization.QuantizationSchemes.Id(Engine.VocabularyMapping.ToCodec(scheme));

    /// <summary>Parses an id such as "tq-prod"; throws <see cref="ArgumentException"/> for an unknown one.</summary>
    public static QuantizerScheme Parse(string id) =>
        Engine.VocabularyMapping.FromCodec(VectorDb.Index.Quantization.QuantizationSchemes.Parse(id));
}

namespace VectorDb.Index.Rerank;

/// <summary>
/// The exact similarity a re-scorer computes between a float32 query and a stored original. Larger is better for
/// <see cref="InnerProduct"/> and <see cref="Cosine"/>; smaller is better for <see cref="L2"/>.
/// </summary>
public enum ExactMetric
{
    /// <summary>Σ q_j·x_j.</summary>
    InnerProduct,

    /// <summary>Σ q_j·x_j / (‖q‖·‖x‖); defined as 0 when either norm is 0.</summary>
    Cosine,

    /// <summary>Squared Euclidean distance Σ (q_j − x_j)² (no square root: it does not change the order).</summary>
    L2,
}

/// <summary>How a collection stores its originals for exact re-scoring. Arithmetic is float32 either way.</summary>
public enum OriginalPrecision
{
    /// <summary>4 bytes per coordinate, stored as given.</summary>
    Float32,

    /// <summary>2 bytes per coordinate (IEEE binary16, round to nearest even); |x_j| must stay ≤ 65504.</summary>
    Float16,
}

/// <summary>Helpers on <see cref="ExactMetric"/>.</summary>
public static class ExactMetricExtensions
{
    /// <summary>True when a smaller score is a better match (only <see cref="ExactMetric.L2"/>).</summary>
    public static bool SmallerIsBetter(this ExactMetric metric) => metric == ExactMetric.L2;
}

using VectorDb.Api.V1;

namespace VectorDb.Client;

/// <summary>How a collection measures similarity, as the typed client calls take it (the wire's
/// <see cref="Distance"/> without its unset member). Larger is better for <see cref="InnerProduct"/> and
/// <see cref="Cosine"/>, smaller for <see cref="L2"/> (squared distance). Named apart from the embedded engine's
/// <c>VectorDb.Metric</c> so that a file importing both namespaces sees no ambiguity.</summary>
public enum DistanceMetric
{
    /// <summary>Σ q_j·x_j (the wire's Dot).</summary>
    InnerProduct,

    /// <summary>Inner product of the normalised vectors.</summary>
    Cosine,

    /// <summary>Squared Euclidean distance (the wire's Euclid).</summary>
    L2,
}

internal static class DistanceMetrics
{
    public static Distance ToProto(this DistanceMetric metric) => metric switch
    {
        DistanceMetric.InnerProduct => Distance.Dot,
        DistanceMetric.Cosine => Distance.Cosine,
        DistanceMetric.L2 => Distance.Euclid,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "metric must be InnerProduct, Cosine or L2."),
    };
}

using VectorDb.Api.V1;

namespace VectorDb.Client;

/// <summary>The shared vocabulary's <see cref="Metric"/> (VectorDb.Vocabulary, the engine's own enum) as the wire's
/// <see cref="Distance"/>: the typed client calls take the same word an embedded application uses.</summary>
internal static class WireMetric
{
    public static Distance ToProto(this Metric metric) => metric switch
    {
        Metric.InnerProduct => Distance.Dot,
        Metric.Cosine => Distance.Cosine,
        Metric.L2 => Distance.Euclid,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "metric must be InnerProduct, Cosine or L2."),
    };
}

using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb.Engine;

/// <summary>The engine's public vocabulary (Vocabulary.cs) to and from the codec and storage layers' types. Explicit
/// switches, not casts: the layers number their members independently (storage's originals format is persisted with
/// None = 0). VocabularyTests pins that every member maps both ways by name.</summary>
internal static class VocabularyMapping
{
    public static ExactMetric ToCodec(Metric metric) => metric switch
    {
        Metric.InnerProduct => ExactMetric.InnerProduct,
        Metric.Cosine => ExactMetric.Cosine,
        Metric.L2 => ExactMetric.L2,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "metric must be InnerProduct, Cosine or L2."),
    };

    public static Metric FromCodec(ExactMetric metric) => metric switch
    {
        ExactMetric.InnerProduct => Metric.InnerProduct,
        ExactMetric.Cosine => Metric.Cosine,
        ExactMetric.L2 => Metric.L2,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric."),
    };

    public static QuantizationScheme ToCodec(QuantizerScheme scheme) => scheme switch
    {
        QuantizerScheme.EdenUnbiased => QuantizationScheme.EdenUnbiased,
        QuantizerScheme.EdenBiased => QuantizationScheme.EdenBiased,
        QuantizerScheme.TurboQuantMse => QuantizationScheme.TurboQuantMse,
        QuantizerScheme.TurboQuantProd => QuantizationScheme.TurboQuantProd,
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown quantizer scheme."),
    };

    public static QuantizerScheme FromCodec(QuantizationScheme scheme) => scheme switch
    {
        QuantizationScheme.EdenUnbiased => QuantizerScheme.EdenUnbiased,
        QuantizationScheme.EdenBiased => QuantizerScheme.EdenBiased,
        QuantizationScheme.TurboQuantMse => QuantizerScheme.TurboQuantMse,
        QuantizationScheme.TurboQuantProd => QuantizerScheme.TurboQuantProd,
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown quantization scheme."),
    };

    public static OriginalVectorFormat ToStorage(OriginalsFormat format) => format switch
    {
        OriginalsFormat.None => OriginalVectorFormat.None,
        OriginalsFormat.Float32 => OriginalVectorFormat.Float32,
        OriginalsFormat.Float16 => OriginalVectorFormat.Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "originals must be Float32, Float16 or None."),
    };

    public static OriginalsFormat FromStorage(OriginalVectorFormat format) => format switch
    {
        OriginalVectorFormat.None => OriginalsFormat.None,
        OriginalVectorFormat.Float32 => OriginalsFormat.Float32,
        OriginalVectorFormat.Float16 => OriginalsFormat.Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown originals format."),
    };

    /// <summary>The codec's precision for kept originals; null when none are kept.</summary>
    public static OriginalPrecision? ToPrecision(OriginalsFormat format) => format switch
    {
        OriginalsFormat.Float32 => OriginalPrecision.Float32,
        OriginalsFormat.Float16 => OriginalPrecision.Float16,
        _ => null,
    };

    public static IndexKind ToCodec(IndexLayout layout) => layout switch
    {
        IndexLayout.Flat => IndexKind.Flat,
        IndexLayout.Ivf => IndexKind.Ivf,
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "index must be Flat or Ivf."),
    };

    public static RerankMode ToCodec(Reranking rerank) => rerank switch
    {
        Reranking.None => RerankMode.None,
        Reranking.Fixed => RerankMode.Fixed,
        Reranking.Auto => RerankMode.Auto,
        _ => throw new ArgumentOutOfRangeException(nameof(rerank), rerank, "rerank must be None, Fixed or Auto."),
    };
}

namespace VectorDb.Datasets;

/// <summary>How similarity is measured. Larger is better for <see cref="InnerProduct"/> and <see cref="Cosine"/>,
/// smaller for <see cref="L2"/> (squared Euclidean distance).</summary>
public enum DatasetMetric
{
    InnerProduct,
    Cosine,
    L2,
}

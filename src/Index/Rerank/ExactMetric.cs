namespace VectorDb.Index.Rerank;

/// <summary>How a collection stores its originals for exact re-scoring. Arithmetic is float32 either way.</summary>
public enum OriginalPrecision
{
    /// <summary>4 bytes per coordinate, stored as given.</summary>
    Float32,

    /// <summary>2 bytes per coordinate (IEEE binary16, round to nearest even); |x_j| must stay ≤ 65504.</summary>
    Float16,
}

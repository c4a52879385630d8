namespace VectorDb.Index.Rerank;

/// <summary>
/// One SIMD width's implementation of the four row primitives a re-scorer needs. Implemented by empty structs and
/// used as a generic argument, so the JIT specializes each scoring loop per width: no dispatch per element or row.
/// Every method reads exactly <c>length</c> elements from each reference and accumulates in float32.
/// </summary>
internal interface IRowKernel
{
    /// <summary>Σ q_j·x_j over float32 originals.</summary>
    static abstract float Dot(ref float query, ref float row, int length);

    /// <summary>Σ q_j·x_j over float16 originals (each x_j widened exactly to float32).</summary>
    static abstract float Dot(ref float query, ref Half row, int length);

    /// <summary>Σ (q_j − x_j)² over float32 originals.</summary>
    static abstract float SquaredDistance(ref float query, ref float row, int length);

    /// <summary>Σ (q_j − x_j)² over float16 originals.</summary>
    static abstract float SquaredDistance(ref float query, ref Half row, int length);
}

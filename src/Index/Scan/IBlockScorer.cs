namespace VectorDb.Index.Scan;

/// <summary>
/// One query bound to one code store: scores the vectors of a store block by block. The flat scan driver calls
/// <see cref="ScoreBlock"/> once per 32 vectors (one interface call per block, never per vector). Implementations
/// are read-only after construction, so one instance may be shared by the threads of a parallel scan.
/// </summary>
public interface IBlockScorer
{
    /// <summary>Vectors in the store (rows 0..Count−1).</summary>
    int Count { get; }

    /// <summary>Blocks of <see cref="FastScanCodes.BlockSize"/> vectors: ⌈Count/32⌉.</summary>
    int BlockCount { get; }

    /// <summary>
    /// Writes into <paramref name="raw"/>[v] (v = 0..31) the approximate Σ_j w_j·c[code_j] of row block·32+v, before
    /// the per-vector factor. Entries for rows ≥ <see cref="Count"/> are finite but meaningless.
    /// </summary>
    void ScoreBlock(int block, Span<float> raw);
}

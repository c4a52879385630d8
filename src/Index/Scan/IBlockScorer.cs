namespace VectorDb.Index.Scan;

/// <summary>
/// One query bound to one code store: scores the vectors of a store block by block. The flat scan driver calls
/// <see cref="ScoreBlock(int, ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/> once per 32 vectors
/// (one interface call per block, never per vector). Implementations are read-only after construction, so one
/// instance may be shared by the threads of a parallel scan.
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

    /// <summary>
    /// Final scores of the block's rows: scores[v] = factors[v]·raw_v, or fma(raw_v, factors[v], offsets[v]) when
    /// offsets is not empty, for v &lt; factors.Length (the block's rows, ≤ 32). Returns the mask whose bit v is set
    /// iff scores[v] ≥ <paramref name="threshold"/>. Scorers may fuse this with the kernel; the scores must equal
    /// <see cref="ScoreBlock(int, Span{float})"/> followed by that formula.
    /// </summary>
    uint ScoreBlock(int block, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold, Span<float> scores);

    /// <summary>
    /// Scans blocks [<paramref name="firstBlock"/>, <paramref name="endBlock"/>) into <paramref name="results"/> with
    /// the driver that suits this scorer (<see cref="FlatScan"/>'s arguments): here the per-block driver; fast-scan
    /// codes take the pruned scan (<see cref="FastScanScorer"/>). The scorer chooses, so the driver never tests types.
    /// </summary>
    internal void SearchBlocks(ReadOnlySpan<float> scales, ReadOnlySpan<float> offsets, ReadOnlySpan<ulong> deleted,
        TopK results, int firstBlock, int endBlock, int idBase, ScoreTermRange? termRange, RowTerms rowTerms,
        BlockShifts shifts) =>
        FlatScan.SearchBlocksPerBlock(this, scales, offsets, deleted, results, firstBlock, endBlock, idBase, shifts);

    /// <summary>Whether this scorer can drive one batched pass over <paramref name="batch"/> (itself first): no, here.</summary>
    internal bool CanSearchBatchWith(ReadOnlySpan<IBlockScorer> batch) => false;

    /// <summary>Drives the batched scan of <paramref name="batch"/> (itself first), which
    /// <see cref="CanSearchBatchWith"/> accepted.</summary>
    internal void SearchBatch(ReadOnlySpan<IBlockScorer> batch, ReadOnlySpan<float> scales, ReadOnlySpan<float> offsets,
        ReadOnlySpan<ulong> deleted, ReadOnlySpan<TopK> results, ScoreTermRange termRange, RowTerms rowTerms, int idBase,
        BatchBlockShifts shifts) =>
        throw new NotSupportedException($"{GetType().Name} has no batched scan; check CanSearchBatchWith first.");
}

namespace VectorDb.Index.Search;

/// <summary>
/// A constant per 32-row block added to its rows' scores: the centre term s_l of the code list l that owns the block
/// (<see cref="CodeListBlocks"/>). Empty: no shift (a flat partition, or one IVF list scanned on its own).
/// </summary>
/// <param name="BlockLists">The list of each block, from block 0 of the scanned store.</param>
/// <param name="ListShifts">s_l per list, as the float the collector adds (<see cref="TopK.ScoreShift"/>).</param>
/// <param name="MaxMagnitude">At least every |s_l| (finite).</param>
internal readonly ref struct BlockShifts(ReadOnlySpan<int> BlockLists, ReadOnlySpan<float> ListShifts, float MaxMagnitude)
{
    public ReadOnlySpan<int> BlockLists { get; } = BlockLists;

    public ReadOnlySpan<float> ListShifts { get; } = ListShifts;

    public float MaxMagnitude { get; } = MaxMagnitude;

    public bool IsEmpty => BlockLists.IsEmpty;

    /// <summary>The shift of block <paramref name="block"/>'s rows.</summary>
    public float Of(int block) => ListShifts[BlockLists[block]];
}

/// <summary><see cref="BlockShifts"/> for a batch of queries over the same blocks: one shift per list per query.</summary>
/// <param name="BlockLists">The list of each block, from block 0.</param>
/// <param name="ListShifts">Per query, s_l per list.</param>
/// <param name="MaxMagnitude">At least every |s_l| of every query (finite).</param>
internal readonly ref struct BatchBlockShifts(ReadOnlySpan<int> BlockLists, ReadOnlySpan<float[]> ListShifts, float MaxMagnitude)
{
    public ReadOnlySpan<int> BlockLists { get; } = BlockLists;

    public ReadOnlySpan<float[]> ListShifts { get; } = ListShifts;

    public float MaxMagnitude { get; } = MaxMagnitude;

    public bool IsEmpty => BlockLists.IsEmpty;

    /// <summary>Query <paramref name="q"/>'s shifts (empty when this is empty).</summary>
    public BlockShifts For(int q) => IsEmpty ? default : new BlockShifts(BlockLists, ListShifts[q], MaxMagnitude);
}

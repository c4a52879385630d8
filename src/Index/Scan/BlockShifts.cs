namespace VectorDb.Index.Scan;

/// <summary>
/// A constant per 32-row block added to its rows' scores: the centre term s_l of the code list l that owns the block
/// (<see cref="Search.CodeListBlocks"/>). Empty: no shift (a flat partition, or one IVF list scanned on its own).
/// </summary>
/// <param name="BlockLists">The list of each block, from block 0 of the scanned store.</param>
/// <param name="ListShifts">s_l per list, as the float the collector adds (<see cref="TopK.ScoreShift"/>).</param>
/// <param name="MaxMagnitude">At least every |s_l| (finite).</param>
/// <param name="Work">Room for one float per list: the scan's pre-filter works there (<see cref="ListRowBounds"/>).</param>
internal readonly ref struct BlockShifts(ReadOnlySpan<int> BlockLists, ReadOnlySpan<float> ListShifts, float MaxMagnitude,
    Span<float> Work)
{
    public ReadOnlySpan<int> BlockLists { get; } = BlockLists;

    public ReadOnlySpan<float> ListShifts { get; } = ListShifts;

    public Span<float> Work { get; } = Work;

    public float MaxMagnitude { get; } = MaxMagnitude;

    public bool IsEmpty => BlockLists.IsEmpty;

    /// <summary>The shift of block <paramref name="block"/>'s rows.</summary>
    public float Of(int block) => ListShifts[BlockLists[block]];
}

/// <summary><see cref="BlockShifts"/> for a batch of queries over the same blocks: one shift per list per query.</summary>
/// <param name="BlockLists">The list of each block, from block 0.</param>
/// <param name="ListShifts">Per query, s_l per list.</param>
/// <param name="MaxMagnitude">At least every |s_l| of every query (finite).</param>
/// <param name="Work">Per query, room for one float per list (<see cref="BlockShifts.Work"/>).</param>
internal readonly ref struct BatchBlockShifts(ReadOnlySpan<int> BlockLists, ReadOnlySpan<float[]> ListShifts, float MaxMagnitude,
    ReadOnlySpan<float[]> Work)
{
    public ReadOnlySpan<int> BlockLists { get; } = BlockLists;

    public ReadOnlySpan<float[]> ListShifts { get; } = ListShifts;

    public ReadOnlySpan<float[]> Work { get; } = Work;

    public float MaxMagnitude { get; } = MaxMagnitude;

    public bool IsEmpty => BlockLists.IsEmpty;

    /// <summary>Query <paramref name="q"/>'s shifts (empty when this is empty).</summary>
    public BlockShifts For(int q) => IsEmpty ? default : new BlockShifts(BlockLists, ListShifts[q], MaxMagnitude, Work[q]);

    /// <summary>Queries [<paramref name="start"/>, start + <paramref name="count"/>).</summary>
    public BatchBlockShifts Slice(int start, int count) =>
        new(BlockLists, ListShifts.Slice(start, count), MaxMagnitude, Work.Slice(start, count));
}

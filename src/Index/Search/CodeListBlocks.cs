using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

/// <summary>
/// Residual code lists pooled in one <see cref="CodePartition"/>: every 32-row block belongs to one list, so a search
/// streams the whole pool with the flat scan's kernel and adds each block's list centre term (<see cref="FlatScan"/>'s
/// block shifts), instead of starting the kernel once per list. A list's rows fill its newest block; a full list opens a
/// new block at the pool's end (32 empty rows, marked deleted until filled), so the blocks of one list need not be
/// adjacent. The cost is at most 31 empty rows per list (≤ 31·lists, e.g. ≤ 4% of 200,000 rows at 256 lists), scanned
/// but never scored.
/// <para>Why pooled: scanning the lists as separate partitions cost ~0.75 µs per list per query (set-up and each
/// list's partial last block), 1.5-2.1× the flat scan's time at 256 lists (bench/results/codes-v2-lists-2026-12-05.md).</para>
/// <para>Not thread-safe: the owning <see cref="VectorIndex"/> serialises writes.</para>
/// </summary>
internal sealed class CodeListBlocks
{
    private const int BlockSize = FastScanCodes.BlockSize;

    private readonly int[] _openRow; // per list: the next empty row of its newest block, or −1 when that block is full
    private int[] _blockLists = new int[64];

    public CodeListBlocks(int lists)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lists, 1);
        _openRow = new int[lists];
        Array.Fill(_openRow, -1);
    }

    /// <summary>Lists in the pool.</summary>
    public int ListCount => _openRow.Length;

    /// <summary>Blocks in the pool.</summary>
    public int BlockCount { get; private set; }

    /// <summary>The list that owns each block, block by block.</summary>
    public ReadOnlySpan<int> BlockLists => _blockLists.AsSpan(0, BlockCount);

    /// <summary>An empty row of <paramref name="pool"/> for a new member of <paramref name="list"/>: the next row of the
    /// list's newest block, or the first row of a block appended for it.</summary>
    public int NextRow(int list, CodePartition pool)
    {
        int row = _openRow[list];
        if (row < 0)
        {
            if (pool.Count != BlockCount * BlockSize)
            {
                throw new InvalidOperationException($"the pool holds {pool.Count} rows, not the {BlockCount} blocks of its lists.");
            }
            if (BlockCount == _blockLists.Length)
            {
                Array.Resize(ref _blockLists, 2 * BlockCount);
            }
            _blockLists[BlockCount] = list;
            row = BlockCount++ * BlockSize;
            pool.AddEmptyBlock();
        }
        _openRow[list] = (row + 1) % BlockSize == 0 ? -1 : row + 1;
        return row;
    }
}

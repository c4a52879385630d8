using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;

namespace VectorDb.Index.Tests.Search;

/// <summary>
/// The pool of code lists (<see cref="CodeListBlocks"/> over a <see cref="CodePartition"/>): a list's rows fill its newest
/// block before it opens another at the pool's end, every block belongs to exactly one list, and rows not yet placed
/// are deleted and carry no global row.
/// </summary>
public class CodeListBlocksTests
{
    [Fact]
    public void Rows_FillTheirListsBlocks_InOrder_AndBlocksNameTheirList()
    {
        var pool = new CodePartition(CodeFamily.For(8, Codebook.Gaussian(4), hasSigns: false, SimdCapabilities.Best), hasOffsets: true);
        var lists = new CodeListBlocks(3);
        // 40 rows to list 2, 5 to list 0, 30 more to list 2, 1 to list 1: blocks 2, 2 (rows 32..39), 0, 2 (rows 62..69), 1.
        var placed = new List<(int List, int Row)>();
        foreach (int list in Enumerable.Repeat(2, 40).Concat(Enumerable.Repeat(0, 5)).Concat(Enumerable.Repeat(2, 30)).Append(1))
        {
            int row = lists.NextRow(list, pool);
            pool.Place(row, placed.Count, new byte[4], [], factor: 1, offset: 0, signFactor: 0);
            placed.Add((list, row));
        }

        Assert.Equal([2, 2, 0, 2, 1], lists.BlockLists.ToArray());
        Assert.Equal(5 * 32, pool.Count);
        Assert.Equal(placed.Count, pool.LiveCount);
        Assert.Equal(Enumerable.Range(0, 32).Concat(Enumerable.Range(32, 8)), placed.Take(40).Select(p => p.Row));
        Assert.Equal(Enumerable.Range(64, 5), placed.Skip(40).Take(5).Select(p => p.Row));
        Assert.Equal(Enumerable.Range(40, 24).Concat(Enumerable.Range(96, 6)), placed.Skip(45).Take(30).Select(p => p.Row));
        Assert.Equal(128, placed[^1].Row);
        foreach (var (list, row) in placed)
        {
            Assert.Equal(list, lists.BlockLists[row / 32]);
        }
        var taken = placed.Select(p => p.Row).ToHashSet();
        ReadOnlySpan<ulong> deleted = pool.Deleted.Span;
        for (int row = 0; row < pool.Count; row++)
        {
            bool isDeleted = (deleted[row / 64] >> (row % 64) & 1) != 0;
            Assert.Equal(!taken.Contains(row), isDeleted);
            Assert.Equal(taken.Contains(row) ? placed.FindIndex(p => p.Row == row) : -1, pool.GlobalRows[row]);
        }
    }

    [Fact]
    public void Place_RefusesARowThatIsTaken()
    {
        var pool = new CodePartition(CodeFamily.For(8, Codebook.Gaussian(4), hasSigns: false, SimdCapabilities.Best), hasOffsets: true);
        var lists = new CodeListBlocks(1);
        int row = lists.NextRow(0, pool);
        pool.Place(row, 7, new byte[4], [], 1, 0, 0);
        Assert.Throws<InvalidOperationException>(() => pool.Place(row, 8, new byte[4], [], 1, 0, 0));
    }
}

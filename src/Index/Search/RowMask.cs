namespace VectorDb.Index.Search;

/// <summary>
/// A caller's choice of rows for one search: one bit per global row of a <see cref="VectorIndex"/>, set when the row
/// may be a result (e.g. its point passes a payload filter). Built once per search by
/// <see cref="VectorIndex.RowsOf"/> from the ids the caller selected, then taken by the scan as is: the scan ORs its
/// complement into the tombstone bitmap it already skips, so no code of the caller runs per row.
/// <para>Rows appended after the mask was built lie past <see cref="RowCount"/> and are not chosen (the caller did
/// not see them); deleted rows stay skipped whatever their bit. Immutable once built; any number of searches may
/// share it.</para>
/// </summary>
public sealed class RowMask
{
    private readonly ulong[] _words;

    internal RowMask(ulong[] words, int rowCount)
    {
        _words = words;
        RowCount = rowCount;
    }

    /// <summary>Global rows the mask covers: the index's row count when it was built.</summary>
    public int RowCount { get; }

    /// <summary>Whether global row <paramref name="row"/> is chosen.</summary>
    public bool Contains(int row) => (uint)row < (uint)RowCount && (_words[row >> 6] & (1UL << (row & 63))) != 0;
}

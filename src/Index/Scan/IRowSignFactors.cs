namespace VectorDb.Index.Scan;

/// <summary>
/// The per-row factors B of tq-prod's QJL sign sums, for <see cref="QjlScorer"/>: entry r belongs to row r of the code
/// store the scorer scans. Read once per block of 32 rows, never per row; the span may be a new one after rows are
/// appended (the owner grows its arrays), so a scorer reads it anew for each block.
/// </summary>
internal interface IRowSignFactors
{
    /// <summary>B of every row now stored (0 for the empty rows of a pooled block).</summary>
    ReadOnlySpan<float> SignFactors { get; }
}

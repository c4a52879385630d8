using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

/// <summary>
/// What a write changes in the index's parts, under its write lock. An upsert keeps the point's original at the next
/// row first (so that an original the store refuses leaves the index as it was), then writes the row's record (made
/// consistent with the centre), retires the id's earlier row and places the new one in its list; a delete retires
/// the id's row.
/// </summary>
/// <param name="table">The rows.</param>
/// <param name="originals">The rows' originals.</param>
/// <param name="centring">Re-encodes a record coded before the centre was fixed.</param>
/// <param name="sources">The vector such a record is re-encoded from when no original comes with it.</param>
/// <param name="lists">Where a retired row is marked deleted.</param>
/// <param name="placement">Places a new row in its list.</param>
internal sealed class RowWrites(RowTable table, RowOriginals originals, CodeCentring centring, RowSources sources,
    IvfLists lists, RowPlacement placement)
{
    /// <summary>Upserts a point whose original the caller gives as floats (checked by the store).</summary>
    public void Upsert(ulong id, ReadOnlySpan<byte> record, ReadOnlySpan<float> original)
    {
        int row = NextRow();
        originals.Upsert(row, original);
        Append(id, row, record, originals.Store is null ? default : original);
    }

    /// <summary>Upserts a point with a checked original's stored bytes (copied as they are, not checked).</summary>
    public void UpsertStored(ulong id, ReadOnlySpan<byte> record, ReadOnlySpan<byte> stored)
    {
        int row = NextRow();
        originals.UpsertStored(row, stored);
        Append(id, row, record, originals.Store is not null && centring.IsStale(record) ? originals.Widen(stored) : default);
    }

    /// <summary>Retires the live row of <paramref name="id"/>; false when there is none.</summary>
    public bool Delete(ulong id)
    {
        if (!table.Remove(id, out int row))
        {
            return false;
        }
        lists.Delete(row);
        originals.Delete(row);
        return true;
    }

    /// <summary>Room for <paramref name="rows"/> rows in the table and the per-row arrays of the placement.</summary>
    public void Grow(int rows)
    {
        if (table.Grow(rows))
        {
            placement.Grow(table.Capacity);
        }
    }

    private int NextRow()
    {
        int row = table.RowCount;
        Grow(row + 1);
        return row;
    }

    /// <summary>The new row's record (re-encoded from <paramref name="source"/> if stale), then the switch of the id to it.</summary>
    private void Append(ulong id, int row, ReadOnlySpan<byte> record, ReadOnlySpan<float> source)
    {
        Span<byte> kept = table.RecordOf(row);
        centring.Consistent(id, record, source, kept, sources).CopyTo(kept);
        Delete(id);
        table.Append(id);
        placement.Add(row);
    }
}

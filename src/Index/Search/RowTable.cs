using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

/// <summary>
/// The index's rows: each row's point id and encoded record (row-major, <see cref="CodeLayout.RecordSize"/> bytes each,
/// the source of truth the scan layouts are built from) and the id map from a point to its live row. Rows are only
/// appended (0, 1, 2, ...): replacing an id appends a new row and the old one stays, no longer live. Not thread-safe:
/// the parts read it and <see cref="VectorIndex"/> writes it under the index's lock.
/// </summary>
/// <param name="recordSize">Bytes of one record.</param>
internal sealed class RowTable(int recordSize) : IRowIds
{
    private const int InitialRows = 64;

    private readonly Dictionary<ulong, int> _rowOfId = [];
    private ulong[] _ids = new ulong[InitialRows];
    private byte[] _records = new byte[InitialRows * recordSize];

    /// <summary>Live rows (one per point id).</summary>
    public int Count => _rowOfId.Count;

    /// <summary>Rows ever written, deleted ones included.</summary>
    public int RowCount { get; private set; }

    /// <summary>Rows the per-row arrays have room for.</summary>
    public int Capacity => _ids.Length;

    /// <summary>The live rows, in id-map order.</summary>
    public Dictionary<ulong, int>.ValueCollection LiveRows => _rowOfId.Values;

    public ulong IdOf(int row) => _ids[row];

    public Span<byte> RecordOf(int row) => _records.AsSpan(row * recordSize, recordSize);

    /// <summary>True when <paramref name="row"/> is the current row of its id.</summary>
    public bool IsLive(int row) =>
        (uint)row < (uint)RowCount && _rowOfId.TryGetValue(_ids[row], out int current) && current == row;

    public bool Contains(ulong id) => _rowOfId.ContainsKey(id);

    /// <summary>The live row of <paramref name="id"/>.</summary>
    /// <exception cref="KeyNotFoundException">No live row has this id.</exception>
    public int RowOf(ulong id) => _rowOfId[id];

    /// <summary>Room for <paramref name="rows"/> rows; true when the arrays grew (to <see cref="Capacity"/>, at least
    /// doubling), so that the caller grows its own per-row arrays to match.</summary>
    public bool Grow(int rows)
    {
        if (rows <= _ids.Length)
        {
            return false;
        }
        int capacity = Math.Max(rows, _ids.Length * 2);
        Array.Resize(ref _ids, capacity);
        Array.Resize(ref _records, capacity * recordSize);
        return true;
    }

    /// <summary>Makes the next row (<see cref="RowCount"/>, its record already written there) the live row of
    /// <paramref name="id"/>; the caller has removed any earlier row of the id and made room.</summary>
    public void Append(ulong id)
    {
        int row = RowCount;
        _ids[row] = id;
        _rowOfId[id] = row;
        RowCount = row + 1;
    }

    /// <summary>Forgets the live row of <paramref name="id"/> (it stays in the table, not live); false when there is none.</summary>
    public bool Remove(ulong id, out int row) => _rowOfId.Remove(id, out row);

    /// <summary>The mask choosing the live rows of <paramref name="ids"/> (ids without a live row are skipped).</summary>
    public RowMask MaskOf(IEnumerable<ulong> ids)
    {
        var words = new ulong[(RowCount + 63) / 64];
        foreach (ulong id in ids)
        {
            if (_rowOfId.TryGetValue(id, out int row))
            {
                words[row >> 6] |= 1UL << (row & 63);
            }
        }
        return new RowMask(words, RowCount);
    }

    /// <inheritdoc/>
    public int LiveIds(ReadOnlySpan<int> rows, Span<ulong> ids, Span<int> positions)
    {
        int live = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            if (IsLive(rows[i]))
            {
                positions[live] = i;
                ids[live++] = _ids[rows[i]];
            }
        }
        return live;
    }
}

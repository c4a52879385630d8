namespace VectorDb.Engine;

/// <summary>Adds the <paramref name="index"/>-th point of the codes-log pass to the index with its stored original
/// (empty when the point has none).</summary>
internal delegate void RowAdder(int index, ReadOnlySpan<byte> original);

/// <summary>
/// Restores codes-log order for originals that arrive in blob-log order, so that open adds index rows in the same
/// order on every open (the order of <see cref="VectorDb.Storage.StoredCollection.ForEachLiveAsync"/>) whatever the
/// blob pass's order. An original that arrives when its row is next is added at once (no copy); one that arrives
/// early is copied and waits until the rows before it are added.
/// </summary>
/// <remarks>
/// The two orders agree except where writers interleaved (concurrent batches append blobs in one order and codes in
/// another; compaction re-appends blobs and their codes entries in the same order), so few originals wait and the
/// copies are reused. Memory is one original per waiting point: in the worst case (orders unrelated, or a point
/// early in the codes log that has no blob, which the engine never writes when it keeps originals) every original
/// waits until <see cref="Finish"/>.
/// </remarks>
internal sealed class CodesLogOrder(List<ulong> idsInCodesLogOrder, RowAdder add)
{
    private readonly Dictionary<ulong, byte[]> _waiting = [];
    private readonly Stack<byte[]> _free = new();
    private int _next;

    /// <summary>Most originals that waited at the same time (for tests and diagnostics).</summary>
    public int MaxWaiting { get; private set; }

    /// <summary>Rows added so far; rows 0 .. <see cref="Added"/> - 1 are in the index.</summary>
    public int Added => _next;

    /// <summary>Takes the original of <paramref name="id"/> (each id at most once; the span is used or copied before
    /// returning).</summary>
    public void Arrive(ulong id, ReadOnlySpan<byte> original)
    {
        if (_next < idsInCodesLogOrder.Count && idsInCodesLogOrder[_next] == id)
        {
            add(_next++, original);
            AddWaitingRows();
            return;
        }
        var copy = _free.TryPop(out var reused) && reused.Length == original.Length ? reused : new byte[original.Length];
        original.CopyTo(copy);
        _waiting[id] = copy;
        MaxWaiting = Math.Max(MaxWaiting, _waiting.Count);
    }

    /// <summary>Adds every row not added yet, in order: with its original if it arrived, else with none (the point
    /// has no blob).</summary>
    public void Finish()
    {
        while (_next < idsInCodesLogOrder.Count)
        {
            if (_waiting.Remove(idsInCodesLogOrder[_next], out var original))
            {
                add(_next++, original);
            }
            else
            {
                add(_next++, default);
            }
        }
        _waiting.Clear();
    }

    private void AddWaitingRows()
    {
        while (_next < idsInCodesLogOrder.Count && _waiting.Remove(idsInCodesLogOrder[_next], out var original))
        {
            add(_next++, original);
            _free.Push(original);
        }
    }
}

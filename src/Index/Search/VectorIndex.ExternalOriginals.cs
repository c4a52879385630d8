using VectorDb.Index.Common;
using VectorDb.Index.Rerank;
using CpuScorer = VectorDb.Index.Rerank.ExactScorer;

namespace VectorDb.Index.Search;

public sealed partial class VectorIndex : IRowIds
{
    private IOriginalReader? _externalOriginals;

    /// <summary>True once <see cref="UseExternalOriginals"/> has moved re-ranking to an <see cref="IOriginalReader"/>.</summary>
    public bool OriginalsAreExternal => Volatile.Read(ref _externalOriginals) is not null;

    /// <summary>Bytes of memory held by the in-memory originals (rows, norms and live bits of every allocated chunk
    /// of <see cref="Originals"/>); 0 when none are kept or they are external. Rows are never reused, so this grows
    /// with every insert and overwrite, not with <see cref="Count"/>.</summary>
    public long OriginalBytesInMemory
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _originals is { } store ? OriginalStoreBytes(store, store.SlotCount) : 0;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Bytes the in-memory originals would hold after <paramref name="moreRows"/> more inserts (the engine
    /// checks its budget with this before a batch); 0 when originals are not kept in memory.</summary>
    public long OriginalBytesInMemoryAfter(int moreRows)
    {
        _lock.EnterReadLock();
        try
        {
            return _originals is { } store ? OriginalStoreBytes(store, _rows + (long)moreRows) : 0;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Drops the in-memory originals and re-ranks from <paramref name="reader"/> from now on (batched reads of the
    /// candidates' originals by id). Scores are bit-identical to the in-memory scorer's (same kernels at the same SIMD
    /// level, same norms), so searches return exactly the same results. A custom scorer from the factory (e.g. GPU)
    /// is disposed and replaced by the CPU scorer. IVF list assignment then uses decoded codes, as for an index
    /// without originals. Waits for searches in progress.
    /// </summary>
    /// <exception cref="InvalidOperationException">The index keeps no originals, or they are external already.</exception>
    public void UseExternalOriginals(IOriginalReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (Options.Originals == OriginalsFormat.None)
        {
            throw new InvalidOperationException("This index keeps no originals (VectorIndexOptions.Originals is None); there is nothing to read from elsewhere.");
        }
        _lock.EnterWriteLock();
        try
        {
            if (_externalOriginals is not null)
            {
                throw new InvalidOperationException("This index already reads its originals through an IOriginalReader.");
            }
            IExactScorer? previous = _exact;
            SimdLevel level = previous is CpuScorer cpu ? cpu.Level : SimdCapabilities.Best;
            _exact = new StoredOriginalsScorer(this, Dimension, Options.Metric, reader, Options.Originals, level);
            _originals = null;
            Volatile.Write(ref _externalOriginals, reader);
            (previous as IDisposable)?.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private static long OriginalStoreBytes(OriginalVectorStore store, long slots)
    {
        long chunks = (slots + store.SlotsPerChunk - 1) / store.SlotsPerChunk;
        long perChunk = (long)store.SlotsPerChunk * (store.Dimension * store.BytesPerCoordinate + sizeof(float)) +
            ((store.SlotsPerChunk + 63) / 64 * sizeof(ulong));
        return chunks * perChunk;
    }

    /// <summary>True when <paramref name="slot"/> is the current row of its id (caller holds the index lock).</summary>
    private bool IsLiveRow(int slot) =>
        (uint)slot < (uint)_rows && _rowOfId.TryGetValue(_ids[slot], out int current) && current == slot;

    /// <inheritdoc/>
    int IRowIds.RowCount => _rows;

    /// <inheritdoc/>
    int IRowIds.LiveIds(ReadOnlySpan<int> rows, Span<ulong> ids, Span<int> positions)
    {
        int live = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            if (IsLiveRow(rows[i]))
            {
                positions[live] = i;
                ids[live++] = _ids[rows[i]];
            }
        }
        return live;
    }
}

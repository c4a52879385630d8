using System.Buffers;
using VectorDb.Index.Common;
using VectorDb.Index.Rerank;
using CpuScorer = VectorDb.Index.Rerank.ExactScorer;

namespace VectorDb.Index.Search;

/// <summary>
/// Reads the originals of points by id from wherever they are kept durably (the storage layer's blob log), for
/// exact re-ranking when the index does not hold them in memory. Called with a batch of candidates at a time
/// (re-ranking scores in batches), from concurrent searches.
/// </summary>
public interface IOriginalReader
{
    /// <summary>Writes the original of <c>ids[i]</c> into <c>destination[i·w .. (i+1)·w)</c>, where w is
    /// dimension × 4 bytes for <see cref="OriginalPrecision.Float32"/> or × 2 for <see cref="OriginalPrecision.Float16"/>
    /// (little-endian IEEE values, exactly as the index would have stored them), and sets <c>found[i]</c>; an id
    /// that has no original (deleted meanwhile) gets found = false.</summary>
    void Read(ReadOnlySpan<ulong> ids, Span<byte> destination, Span<bool> found);
}

public sealed partial class VectorIndex
{
    /// <summary>Candidates read from the <see cref="IOriginalReader"/> per call (bounds the scratch per search).</summary>
    private const int ExternalBatch = 64;

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
        if (Options.Originals is not { } precision)
        {
            throw new InvalidOperationException("This index keeps no originals (VectorIndexOptions.Originals is null); there is nothing to read from elsewhere.");
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
            _exact = new ExternalExactScorer(this, reader, precision, level);
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

    /// <summary>
    /// <see cref="IExactScorer"/> over originals read through an <see cref="IOriginalReader"/>: slots (rows) are
    /// mapped to ids, read in batches of <see cref="ExternalBatch"/>, and scored by <see cref="ExactRowScoring"/>, the
    /// row arithmetic of <see cref="CpuScorer"/>. Called by the index under its read lock; a slot that is not live, or whose
    /// id the reader no longer has, scores NaN.
    /// </summary>
    private sealed class ExternalExactScorer(VectorIndex index, IOriginalReader reader, OriginalPrecision precision, SimdLevel level)
        : CpuExactScorerBase
    {
        private readonly int _width = index.Dimension * (precision == OriginalPrecision.Float32 ? sizeof(float) : 2);

        public override int Dimension => index.Dimension;

        public override ExactMetric Metric => index.Options.Metric;

        public override string Backend => $"cpu {level}, originals read from storage";

        protected override int SearchAllUnchecked(ReadOnlySpan<float> query, Span<ScoredSlot> best) =>
            RerankUnchecked(query, LiveSlots(), best);

        private int[] LiveSlots()
        {
            var live = new List<int>(index.Count);
            for (int row = 0; row < index._rows; row++)
            {
                if (index.IsLiveRow(row))
                {
                    live.Add(row);
                }
            }
            return [.. live];
        }

        protected override int RerankUnchecked(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<ScoredSlot> best)
        {
            var selector = new TopKSelector(best, Metric.SmallerIsBetter());
            Span<float> scores = stackalloc float[ExternalBatch];
            for (int start = 0; start < slots.Length; start += ExternalBatch)
            {
                var chunk = slots.Slice(start, Math.Min(ExternalBatch, slots.Length - start));
                ScoreUnchecked(query, chunk, scores[..chunk.Length]);
                for (int i = 0; i < chunk.Length; i++)
                {
                    selector.Add(chunk[i], scores[i]);
                }
            }
            return selector.Finish();
        }

        protected override void ScoreUnchecked(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<float> scores)
        {
            Span<ulong> ids = stackalloc ulong[ExternalBatch];
            Span<bool> found = stackalloc bool[ExternalBatch];
            Span<int> position = stackalloc int[ExternalBatch];
            Span<float> packed = stackalloc float[ExternalBatch];
            byte[] rows = ArrayPool<byte>.Shared.Rent(ExternalBatch * _width);
            try
            {
                for (int start = 0; start < slots.Length; start += ExternalBatch)
                {
                    int count = Math.Min(ExternalBatch, slots.Length - start);
                    var chunk = slots.Slice(start, count);
                    // Only live slots are read (packed to the front); a dead slot scores NaN.
                    int live = 0;
                    for (int i = 0; i < count; i++)
                    {
                        if (index.IsLiveRow(chunk[i]))
                        {
                            position[live] = i;
                            ids[live++] = index._ids[chunk[i]];
                        }
                    }
                    reader.Read(ids[..live], rows.AsSpan(0, live * _width), found[..live]);
                    var output = scores.Slice(start, count);
                    output.Fill(float.NaN);
                    ExactRowScoring.ScorePacked(level, Metric, precision, query, rows.AsSpan(0, live * _width), found[..live], packed[..live]);
                    for (int j = 0; j < live; j++)
                    {
                        output[position[j]] = packed[j];
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rows);
            }
        }
    }
}

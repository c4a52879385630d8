using VectorDb.Index.Common;
using VectorDb.Index.Search;

namespace VectorDb.Index.Rerank;

/// <summary>
/// The originals of an index's rows, wherever they are kept, and the exact scorer over them: in memory (an
/// <see cref="OriginalVectorStore"/> with the CPU <see cref="ExactScorer"/> or a factory's scorer) until
/// <see cref="UseExternal"/> moves them to an <see cref="IOriginalReader"/> (<see cref="StoredOriginalsScorer"/>).
/// Also reads them back as the vectors a row is (re-)encoded from, normalised for cosine. Not thread-safe: the
/// index's lock guards it (the external reader is published with a volatile write, read without the lock).
/// </summary>
internal sealed class RowOriginals : IDisposable
{
    private readonly VectorIndexOptions _options;
    private OriginalVectorStore? _store; // null when none are kept, and once they are external
    private IExactScorer? _scorer;
    private IOriginalReader? _external;

    /// <param name="options">The index's options: dimension, metric and <see cref="VectorIndexOptions.Originals"/>
    /// (null: no originals, no scorer).</param>
    /// <param name="level">The CPU scorer's kernel width; null = the best one.</param>
    /// <param name="scorerFactory">Builds the scorer over the store (e.g. a GPU scorer); null = the CPU one.</param>
    /// <exception cref="ArgumentException">The factory returned a scorer of another dimension or metric.</exception>
    public RowOriginals(VectorIndexOptions options, SimdLevel? level, Func<OriginalVectorStore, Metric, IExactScorer>? scorerFactory)
    {
        _options = options;
        if (options.Originals == OriginalsFormat.None)
        {
            return;
        }
        _store = new OriginalVectorStore(options.Dimension, options.Originals);
        _scorer = scorerFactory?.Invoke(_store, options.Metric) ?? new ExactScorer(_store, options.Metric, level);
        if (_scorer.Dimension != options.Dimension || _scorer.Metric != options.Metric)
        {
            throw new ArgumentException(
                $"The exact scorer factory returned a scorer for d={_scorer.Dimension}, {_scorer.Metric}; the index needs d={options.Dimension}, {options.Metric}.",
                nameof(scorerFactory));
        }
    }

    /// <summary>The originals kept in memory, or null (none kept, or external).</summary>
    public OriginalVectorStore? Store => _store;

    /// <summary>The exact re-scorer, or null when no originals are kept.</summary>
    public IExactScorer? Scorer => _scorer;

    /// <summary>Whether re-ranking reads the originals through an <see cref="IOriginalReader"/>.</summary>
    public bool IsExternal => Volatile.Read(ref _external) is not null;

    /// <summary>Keeps <paramref name="original"/> as row's (in memory only; a reader has its own copy), once the store
    /// has checked it (<see cref="OriginalVectorStore.Upsert"/>: a refused original changes nothing).</summary>
    public void Upsert(int row, ReadOnlySpan<float> original) => _store?.Upsert(row, original);

    /// <summary>Keeps a checked original's stored bytes as row's, unchecked (<see cref="OriginalVectorStore.UpsertStored"/>).</summary>
    public void UpsertStored(int row, ReadOnlySpan<byte> stored) => _store?.UpsertStored(row, stored);

    /// <summary>Bytes of one stored original (d·4 or d·2); 0 when the index keeps none.</summary>
    public int StoredBytes => _options.Originals == OriginalsFormat.None
        ? 0
        : _options.Dimension * OriginalVectorStore.BytesPerCoordinateOf(_options.Originals);

    /// <summary>The check and the one conversion of <see cref="VectorIndex.CheckOriginal"/>, for <paramref name="index"/>.</summary>
    public OriginalFault Check(ReadOnlySpan<float> vector, VectorIndex index, out CheckedOriginal original, out int coordinate)
    {
        original = default;
        coordinate = -1;
        if (vector.Length != _options.Dimension)
        {
            return OriginalFault.WrongLength;
        }
        var stored = new byte[StoredBytes];
        OriginalFault fault = OriginalEncoding.Encode(vector, _options.Originals, stored, out coordinate);
        if (fault == OriginalFault.None)
        {
            original = new CheckedOriginal(stored, index);
        }
        return fault;
    }

    /// <summary>Stored bytes taken as checked for <paramref name="index"/> (<see cref="VectorIndex.StoredOriginal"/>).</summary>
    /// <exception cref="ArgumentException">Not <see cref="StoredBytes"/> long.</exception>
    public CheckedOriginal Stored(ReadOnlyMemory<byte> bytes, VectorIndex index)
    {
        if (bytes.Length != StoredBytes)
        {
            throw new ArgumentException($"a stored original of this index is {StoredBytes} bytes; got {bytes.Length}.", nameof(bytes));
        }
        return new CheckedOriginal(bytes, index);
    }

    /// <summary>A stored original as float32 (not normalised).</summary>
    public float[] Widen(ReadOnlySpan<byte> stored)
    {
        var vector = new float[_options.Dimension];
        OriginalEncoding.Widen(stored, _options.Originals, vector);
        return vector;
    }

    /// <summary>Drops row's original from memory.</summary>
    public void Delete(int row) => _store?.Delete(row);

    /// <summary>Bytes the in-memory originals hold for <paramref name="slots"/> rows (rows, norms and live bits of
    /// every chunk); 0 when none are kept in memory. Null <paramref name="slots"/>: the rows allocated now.</summary>
    public long BytesInMemory(long? slots = null)
    {
        if (_store is not { } store)
        {
            return 0;
        }
        long chunks = ((slots ?? store.SlotCount) + store.SlotsPerChunk - 1) / store.SlotsPerChunk;
        long perChunk = (long)store.SlotsPerChunk * (store.Dimension * store.BytesPerCoordinate + sizeof(float)) +
            ((store.SlotsPerChunk + 63) / 64 * sizeof(ulong));
        return chunks * perChunk;
    }

    /// <summary>
    /// Drops the in-memory originals and re-ranks from <paramref name="reader"/> from now on (batched reads of the
    /// candidates' originals by id). Scores are bit-identical to the in-memory scorer's (same kernels at the same SIMD
    /// level, same norms), so searches return exactly the same results. A custom scorer from the factory (e.g. GPU)
    /// is disposed and replaced by the CPU scorer. IVF list assignment then uses decoded codes, as for an index
    /// without originals. Waits for searches in progress (the caller holds the index's write lock).
    /// </summary>
    /// <exception cref="InvalidOperationException">The index keeps no originals, or they are external already.</exception>
    /// <param name="rows">The index's rows (which are live, their ids).</param>
    /// <param name="reader">Where the originals are read from from now on.</param>
    public void UseExternal(IRowIds rows, IOriginalReader reader)
    {
        if (_options.Originals == OriginalsFormat.None)
        {
            throw new InvalidOperationException("This index keeps no originals (VectorIndexOptions.Originals is None); there is nothing to read from elsewhere.");
        }
        if (_external is not null)
        {
            throw new InvalidOperationException("This index already reads its originals through an IOriginalReader.");
        }
        IExactScorer? previous = _scorer;
        SimdLevel level = previous is ExactScorer cpu ? cpu.Level : SimdCapabilities.Best;
        _scorer = new StoredOriginalsScorer(rows, _options.Dimension, _options.Metric, reader, _options.Originals, level);
        _store = null;
        Volatile.Write(ref _external, reader);
        (previous as IDisposable)?.Dispose();
    }

    /// <summary>Row's original from memory, normalised for cosine; false when none is kept in memory.</summary>
    public bool TryCopy(int row, Span<float> destination)
    {
        if (_store is null)
        {
            return false;
        }
        _store.CopyTo(row, destination);
        if (_options.Metric == Metric.Cosine)
        {
            UnitNormalisation.Normalise(destination);
        }
        return true;
    }

    /// <summary>One original through the external reader (normalised for cosine); false when there is no reader or
    /// no original for the id.</summary>
    public bool TryRead(ulong id, Span<float> destination)
    {
        Span<bool> found = stackalloc bool[1];
        return TryRead([id], destination, found) && found[0];
    }

    /// <summary>Originals through the external reader, widened to float and normalised for cosine, one after another
    /// into <paramref name="destination"/>; <paramref name="found"/> says which ids had one. False when there is no
    /// reader (nothing is read).</summary>
    public bool TryRead(ReadOnlySpan<ulong> ids, Span<float> destination, Span<bool> found)
    {
        if (Volatile.Read(ref _external) is not { } reader || _options.Originals == OriginalsFormat.None)
        {
            return false;
        }
        int dimension = _options.Dimension;
        reader.ReadFloats(_options.Originals, dimension, ids, destination, found);
        if (_options.Metric == Metric.Cosine)
        {
            for (int i = 0; i < ids.Length; i++)
            {
                if (found[i])
                {
                    UnitNormalisation.Normalise(destination.Slice(i * dimension, dimension));
                }
            }
        }
        return true;
    }

    public void Dispose() => (_scorer as IDisposable)?.Dispose();
}

using System.Collections.Concurrent;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

/// <summary>
/// The in-memory searchable form of one collection: every vector encoded by the collection's quantizer, its codes
/// in scan layouts (one flat partition, or IVF lists), the originals for exact re-ranking, and the id maps.
/// <para>Rows: every insert appends a global row (0, 1, 2, ...); an upsert of an existing id deletes the old row.
/// The encoded records (row-major, <see cref="CodeLayout.RecordSize"/> bytes each) are the source of truth from
/// which the scan layouts are (re)built, e.g. when IVF is trained.</para>
/// <para>Thread-safety: any number of concurrent searches; writes take an exclusive lock (a search waits for a
/// write in progress and vice versa).</para>
/// </summary>
public sealed partial class VectorIndex : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly ConcurrentBag<QueryScratch> _scratch = [];
    private readonly Dictionary<ulong, int> _rowOfId = [];
    private OriginalVectorStore? _originals; // null also once originals are external (VectorIndex.ExternalOriginals.cs)
    private IExactScorer? _exact;
    private readonly IvfLists _lists; // the lists (IVF or code lists, or the one flat partition) and scan partitions
    private readonly CodeFamily _family; // the scan's stores, query tables and scorers for this code width
    private readonly EstimatorVariance _variance; // the quantizer's error model, for the auto re-rank's bounds
    private ulong[] _ids = new ulong[64];
    private float[] _norms = new float[64];
    private float _maxNorm; // largest norm of any row added since the partitions were last rebuilt: bounds every row's σ
    private byte[] _records;
    private int _rows;

    public VectorIndex(VectorIndexOptions options, SimdLevelOverride? level = null)
        : this(options, level, exactScorerFactory: null)
    {
    }

    /// <param name="options">The collection's quantizer, metric, originals precision and IVF settings.</param>
    /// <param name="level">Forces a SIMD level for the quantizer and CPU kernels (tests); null = the best one.</param>
    /// <param name="exactScorerFactory">Builds the exact re-scorer over this index's originals (e.g. a GPU scorer
    /// from VectorDb.Gpu, which mirrors the store through its listener); null = the CPU <see cref="Rerank.ExactScorer"/>.
    /// Called once, only when <see cref="VectorIndexOptions.Originals"/> is not <see cref="OriginalsFormat.None"/>. The index disposes what it returns
    /// when that is <see cref="IDisposable"/>.</param>
    public VectorIndex(VectorIndexOptions options, SimdLevelOverride? level,
        Func<OriginalVectorStore, Metric, IExactScorer>? exactScorerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Quantizer.Validate();
        if (options.NList < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.NList, "nlist must be ≥ 0 (0 = chosen from the size).");
        }
        Options = options;
        Quantizer = VectorQuantizer.Create(options.Quantizer, level?.Level);
        Layout = Quantizer.Layout;
        _records = new byte[64 * Layout.RecordSize];
        _family = CodeFamily.For(options.Dimension, Quantizer.Codebook, hasSigns: Layout.SignOffset >= 0, Quantizer.Level);
        if (options.Originals != OriginalsFormat.None)
        {
            _originals = new OriginalVectorStore(options.Dimension, options.Originals);
            _exact = exactScorerFactory?.Invoke(_originals, options.Metric)
                ?? new ExactScorer(_originals, options.Metric, level?.Level);
            if (_exact.Dimension != options.Dimension || _exact.Metric != options.Metric)
            {
                throw new ArgumentException(
                    $"The exact scorer factory returned a scorer for d={_exact.Dimension}, {_exact.Metric}; the index needs d={options.Dimension}, {options.Metric}.",
                    nameof(exactScorerFactory));
            }
        }
        InitialiseCentring();
        _variance = Quantizer.Variance(_rho);
        _lists = new IvfLists(Layout.RecordSize, NewPartition());
    }

    public VectorIndexOptions Options { get; }

    public IVectorQuantizer Quantizer { get; }

    public CodeLayout Layout { get; }

    /// <summary>Live (not deleted) vectors.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes per vector held by the scan structures: the encoded record (codes and metadata).</summary>
    public int CodeBytesPerVector => Layout.RecordSize;

    /// <summary>The originals kept for re-ranking, or null.</summary>
    public OriginalVectorStore? Originals => _originals;

    /// <summary>The exact re-scorer over <see cref="Originals"/>, or null when none are kept.</summary>
    public IExactScorer? ExactScorer => _exact;

    /// <summary>Scan partitions: one for a flat (or untrained IVF) index or pooled code lists, nlist after IVF training.</summary>
    internal CodePartition[] Partitions => _lists.Partitions;

    private int Dimension => Options.Dimension;

    /// <summary>Encodes and inserts (or replaces) one vector.</summary>
    /// <exception cref="ArgumentException">Wrong length or a NaN/infinite coordinate; the index is unchanged.</exception>
    public void Upsert(ulong id, ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimension)
        {
            throw new ArgumentException($"vector has {vector.Length} coordinates; the index has dimension {Dimension}.", nameof(vector));
        }
        if (CentreDue(1))
        {
            // Standalone use: the index fixes its own centre (a storage layer persists it first, see CentreDue).
            SetCentre(ComputeCentre(vector));
        }
        byte[] record = new byte[Layout.RecordSize];
        Encode(vector, record);
        UpsertEncoded(id, record, vector);
    }

    /// <summary>
    /// Writes the record this index stores for <paramref name="vector"/> (<see cref="CodeLayout.RecordSize"/> bytes):
    /// the quantizer's encoding of the vector, or, for cosine, of x/‖x‖ (sum of squares in double, one float
    /// reciprocal; a zero vector stays zero). Callers that encode outside the index (a storage layer writing records
    /// before they reach <see cref="UpsertEncoded"/>) use this so that their records equal the index's own.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public void Encode(ReadOnlySpan<float> vector, Span<byte> record)
    {
        if (Options.Metric != Metric.Cosine)
        {
            EncodeSearched(vector, record);
            return;
        }
        const int StackFloats = 1024;
        float[]? rented = vector.Length > StackFloats ? System.Buffers.ArrayPool<float>.Shared.Rent(vector.Length) : null;
        Span<float> normalised = rented is null ? stackalloc float[StackFloats] : rented;
        normalised = normalised[..vector.Length];
        vector.CopyTo(normalised);
        Normalise(normalised);
        EncodeSearched(normalised, record);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>The record of a vector as searched (already normalised for cosine): format 2 against the current
    /// centre, format 1 (and tq-prod) the quantizer's own.</summary>
    private void EncodeSearched(ReadOnlySpan<float> vector, Span<byte> record)
    {
        if (_centred)
        {
            _centredCodec!.EncodeCentred(vector, Volatile.Read(ref _centre), Options.Metric == Metric.L2, record, _rho, _scaleSearch);
        }
        else
        {
            Quantizer.Encode(vector, record);
        }
    }

    /// <summary>
    /// Inserts (or replaces) one already-encoded record, e.g. when a collection is reopened from storage.
    /// <paramref name="original"/> is required when the index keeps originals, ignored otherwise.
    /// </summary>
    public void UpsertEncoded(ulong id, ReadOnlySpan<byte> record, ReadOnlySpan<float> original)
    {
        if (record.Length != Layout.RecordSize)
        {
            throw new ArgumentException($"a record of this index is {Layout.RecordSize} bytes; got {record.Length}.", nameof(record));
        }
        if (_originals is not null && original.Length != Dimension)
        {
            throw new ArgumentException($"this index keeps originals: expected {Dimension} coordinates, got {original.Length}.", nameof(original));
        }
        _lock.EnterWriteLock();
        try
        {
            if (_rowOfId.TryGetValue(id, out int previous))
            {
                DeleteRow(previous);
            }
            int row = _rows;
            GrowRows(row + 1);
            ConsistentRecord(id, record, _originals is null ? default : original, RecordOf(row)).CopyTo(RecordOf(row));
            _ids[row] = id;
            _originals?.Upsert(row, original);
            _rows = row + 1;
            _rowOfId[id] = row;
            Count++;
            AddToPartition(row);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes a vector; returns whether the id was present.</summary>
    public bool Delete(ulong id)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rowOfId.Remove(id, out int row))
            {
                return false;
            }
            DeleteRow(row);
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Whether a live vector has this id.</summary>
    public bool Contains(ulong id)
    {
        _lock.EnterReadLock();
        try
        {
            return _rowOfId.ContainsKey(id);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private void DeleteRow(int row)
    {
        _lists.Delete(row);
        _originals?.Delete(row);
        Count--;
    }

    /// <summary>
    /// Makes room for <paramref name="rows"/> vectors before they are added (e.g. when a collection is rebuilt from
    /// storage and its size is known), so the row arrays and a flat index's codes grow in one allocation instead of by
    /// repeated doubling and copying. Changes no result; no effect when there is room already.
    /// </summary>
    public void Reserve(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        _lock.EnterWriteLock();
        try
        {
            GrowRows(rows);
            if (Partitions.Length == 1)
            {
                Partitions[0].Reserve(rows);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void GrowRows(int rows)
    {
        if (rows <= _ids.Length)
        {
            return;
        }
        int capacity = Math.Max(rows, _ids.Length * 2);
        Array.Resize(ref _ids, capacity);
        Array.Resize(ref _norms, capacity);
        Array.Resize(ref _records, capacity * Layout.RecordSize);
        _lists.Grow(capacity);
    }

    private CodePartition NewPartition() =>
        new(_family, hasOffsets: Options.Metric == Metric.L2 || _centred);

    /// <summary>Appends row's codes to its partition with the factors that turn the code sums into the ranking
    /// score: IP and cosine rank by A·sum (the estimate); L2 ranks by 2A·sum − N² (= ‖q‖² − estimated distance).
    /// Centred records (format 2) add their offset B; the centre's part is added per query (<see cref="CentreShift"/>).</summary>
    private void AddToPartition(int row) => AddToPartition(row, ListCount == 1 ? 0 : NearestList(row));

    /// <summary><see cref="AddToPartition(int)"/> into a list already chosen (its own partition, or its blocks of the
    /// pool for code lists). With residual lists the row's record against that list's centroid is
    /// <see cref="IvfLists.RecordOf"/>: already there when <paramref name="listRecordReady"/> (a training encoded it), else
    /// encoded here.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private void AddToPartition(int row, int list, bool listRecordReady = false)
    {
        scoped ReadOnlySpan<byte> record = RecordOf(row);
        if (_lists.Residual)
        {
            // The row's record against its list centroid is kept (refinement and the auto bound read it).
            Span<byte> kept = _lists.RecordOf(row);
            if (!listRecordReady)
            {
                EncodeForList(row, _lists.CentreOf(list, _centre), kept);
            }
            record = kept;
        }
        float scale = Layout.ReadScale(record);
        float signScale = Layout.ReadQjlScale(record);
        bool l2 = Options.Metric == Metric.L2;
        float offset, norm;
        if (_centred)
        {
            scale = MathF.Abs(scale);
            offset = Layout.ReadOffset(record);
            norm = ResidualNormOf(scale);
        }
        else
        {
            norm = Layout.ReadNorm(record);
            offset = l2 ? -norm * norm : 0f;
        }
        _norms[row] = norm;
        _maxNorm = MathF.Max(_maxNorm, norm);
        float factor = l2 ? 2 * scale : scale, signFactor = l2 ? 2 * signScale : signScale;
        _lists.Place(row, list, Layout.Codes(record), Layout.Signs(record), factor, offset, signFactor);
    }

    /// <summary>The record of row's vector (original, else decoded) as a residual to <paramref name="centre"/>.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private void EncodeForList(int row, CodeCentre centre, Span<byte> record)
    {
        Span<float> vector = Dimension <= 1024 ? stackalloc float[Dimension] : new float[Dimension];
        SourceVectorOfRow(row, vector);
        _centredCodec!.EncodeCentred(vector, centre, Options.Metric == Metric.L2, record, _rho, _scaleSearch);
    }

    public void Dispose()
    {
        (_exact as IDisposable)?.Dispose();
        _lock.Dispose();
    }

    private static void Normalise(Span<float> vector)
    {
        double squares = 0;
        foreach (float v in vector)
        {
            squares += (double)v * v;
        }
        if (squares > 0)
        {
            float inverse = (float)(1 / Math.Sqrt(squares));
            for (int j = 0; j < vector.Length; j++)
            {
                vector[j] *= inverse;
            }
        }
    }
}

/// <summary>Forces a kernel width for every part of an index (tests and A/B benchmarks); null fields = best.</summary>
public sealed record SimdLevelOverride(Common.SimdLevel Level);

using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

/// <summary>
/// The in-memory searchable form of one collection: its public API and the orchestration of the parts that hold its
/// state, each called under the index's lock: <see cref="RowTable"/> (each row's point id and encoded record, the id
/// map; every insert appends a row, an upsert of an existing id retires the old one) written by
/// <see cref="RowWrites"/>, <see cref="CodeCentring"/> (what records are coded against), <see cref="RowOriginals"/>
/// (the originals and the exact scorer), <see cref="IvfLists"/> with <see cref="RowPlacement"/> (the scan partitions)
/// and <see cref="IvfTrainer"/>, and <see cref="QueryPipeline"/> (a search, VectorIndex.Search.cs).
/// <para>Thread-safety: any number of concurrent searches; writes take an exclusive lock (a search waits for a
/// write in progress and vice versa).</para>
/// </summary>
public sealed partial class VectorIndex : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly RowTable _table;
    private readonly RowWrites _writes;
    private readonly RowOriginals _originals;
    private readonly CodeCentring _centring;
    private readonly IvfLists _lists; // the lists (IVF or code lists, or the one flat partition) and scan partitions
    private readonly RowSources _sources;
    private readonly RowPlacement _placement;
    private readonly IvfTrainer _trainer;
    private readonly QueryPipeline _pipeline;

    public VectorIndex(VectorIndexOptions options, SimdLevelOverride? level = null)
        : this(options, level, exactScorerFactory: null)
    {
    }

    /// <param name="options">The collection's quantizer, metric, originals precision and IVF settings.</param>
    /// <param name="level">Forces a SIMD level for the quantizer and CPU kernels (tests); null = the best one.</param>
    /// <param name="exactScorerFactory">Builds the exact re-scorer over this index's originals (e.g. a GPU scorer
    /// from VectorDb.Gpu, which mirrors the store through its listener); null = the CPU <see cref="Rerank.ExactScorer"/>.
    /// Called once, only when <see cref="VectorIndexOptions.Originals"/> is set. The index disposes what it returns
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
        _table = new RowTable(Layout.RecordSize);
        var family = CodeFamily.For(options.Dimension, Quantizer.Codebook, hasSigns: Layout.SignOffset >= 0, Quantizer.Level);
        _originals = new RowOriginals(options, level?.Level, exactScorerFactory);
        _centring = new CodeCentring(options, Quantizer);
        _lists = new IvfLists(Layout.RecordSize, _centring, family, hasOffsets: options.Metric == Metric.L2 || _centring.IsCentred);
        _sources = new RowSources(_table, _originals, _centring, options);
        _placement = new RowPlacement(_table, _lists, _centring, _sources, Quantizer);
        _writes = new RowWrites(_table, _originals, _centring, _sources, _lists, _placement);
        _trainer = new IvfTrainer(_table, options, Quantizer, _lock, _lists, _centring, _sources, _placement);
        var refiner = new CandidateRefiner(_lists, _placement, _centring, Quantizer, options.Metric);
        _pipeline = new QueryPipeline(_lock, options, Quantizer, _table, _originals, _lists, family, _centring, refiner,
            new CandidateRerank(options, _table, _originals, _lists, _centring, _placement, refiner));
    }

    public VectorIndexOptions Options { get; }

    public IVectorQuantizer Quantizer { get; }

    public CodeLayout Layout { get; }

    /// <summary>Live (not deleted) vectors.</summary>
    public int Count => _table.Count;

    /// <summary>Bytes per vector held by the scan structures: the encoded record (codes and metadata).</summary>
    public int CodeBytesPerVector => Layout.RecordSize;

    /// <summary>The originals kept for re-ranking in memory, or null (none kept, or external).</summary>
    public OriginalVectorStore? Originals => _originals.Store;

    /// <summary>The exact re-scorer over the originals, or null when none are kept.</summary>
    public IExactScorer? ExactScorer => _originals.Scorer;

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
    public void Encode(ReadOnlySpan<float> vector, Span<byte> record) => _centring.Encode(vector, record);

    /// <summary>
    /// Inserts (or replaces) one already-encoded record, e.g. when a collection is reopened from storage.
    /// <paramref name="original"/> is required when the index keeps originals, ignored otherwise; its coordinates are
    /// checked (<see cref="OriginalVectorStore.Upsert"/>) before anything changes.
    /// </summary>
    /// <exception cref="ArgumentException">A record of the wrong size, or an original of the wrong length, with a
    /// NaN/infinite coordinate or (float16) one beyond its range; the index is unchanged.</exception>
    public void UpsertEncoded(ulong id, ReadOnlySpan<byte> record, ReadOnlySpan<float> original)
    {
        CheckRecordSize(record);
        if (_originals.Store is not null && original.Length != Dimension)
        {
            throw new ArgumentException($"this index keeps originals: expected {Dimension} coordinates, got {original.Length}.", nameof(original));
        }
        using var held = _lock.Write();
        _writes.Upsert(id, record, original);
    }

    /// <summary>
    /// Checks a vector to upsert once (its length; every coordinate finite and, when the index keeps float16
    /// originals, within ±<see cref="OriginalVectorStore.MaxFloat16Magnitude"/>) and converts its original, in the same
    /// pass, into the bytes it is stored as (<see cref="CheckedOriginal.Bytes"/>), for <see cref="UpsertChecked"/>. A bad
    /// vector is reported, not thrown (the coordinate in <paramref name="coordinate"/>, else −1), so that the caller
    /// words the error for its users; <paramref name="original"/> is valid only when <see cref="OriginalFault.None"/> is
    /// returned.
    /// </summary>
    public OriginalFault CheckOriginal(ReadOnlySpan<float> vector, out CheckedOriginal original, out int coordinate) =>
        _originals.Check(vector, this, out original, out coordinate);

    /// <summary>
    /// An original read back from where a caller stored <see cref="CheckedOriginal.Bytes"/> (a storage layer that
    /// verifies each entry's checksum before it hands it out), taken as checked: only its length is checked, not its
    /// coordinates. The bytes are not copied: keep them unchanged until <see cref="UpsertChecked"/> returns.
    /// </summary>
    /// <exception cref="ArgumentException">Not the length of this index's stored originals.</exception>
    public CheckedOriginal StoredOriginal(ReadOnlyMemory<byte> bytes) => _originals.Stored(bytes, this);

    /// <summary>
    /// <see cref="UpsertEncoded"/> for an original this index checked (<see cref="CheckOriginal"/>,
    /// <see cref="StoredOriginal"/>): its stored bytes go into the in-memory originals as they are, neither checked
    /// nor converted again. Ignored when the index keeps no originals in memory (a default value will do then).
    /// </summary>
    /// <exception cref="ArgumentException">A record of the wrong size, or an original checked by another index.</exception>
    public void UpsertChecked(ulong id, ReadOnlySpan<byte> record, in CheckedOriginal original)
    {
        CheckRecordSize(record);
        if (_originals.Store is not null && original.Index != this)
        {
            throw new ArgumentException("the original was not checked by this index; check it with CheckOriginal first.", nameof(original));
        }
        using var held = _lock.Write();
        _writes.UpsertStored(id, record, original.Bytes.Span);
    }

    private void CheckRecordSize(ReadOnlySpan<byte> record)
    {
        if (record.Length != Layout.RecordSize)
        {
            throw new ArgumentException($"a record of this index is {Layout.RecordSize} bytes; got {record.Length}.", nameof(record));
        }
    }

    /// <summary>Removes a vector; returns whether the id was present.</summary>
    public bool Delete(ulong id)
    {
        using var held = _lock.Write();
        return _writes.Delete(id);
    }

    /// <summary>Whether a live vector has this id.</summary>
    public bool Contains(ulong id)
    {
        using var held = _lock.Read();
        return _table.Contains(id);
    }

    /// <summary>
    /// Makes room for <paramref name="rows"/> vectors before they are added (e.g. when a collection is rebuilt from
    /// storage and its size is known), so the row arrays and a flat index's codes grow in one allocation instead of by
    /// repeated doubling and copying. Changes no result; no effect when there is room already.
    /// </summary>
    public void Reserve(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        using var held = _lock.Write();
        _writes.Grow(rows);
        if (Partitions.Length == 1)
        {
            Partitions[0].Reserve(rows);
        }
    }

    /// <summary>Whether this index writes centred (format 2) records for its scheme (<see cref="CodeCentring"/>).</summary>
    public bool CentredCodes => _centring.IsCentred;

    /// <summary>Changes whenever the centre records are encoded against changes (0 = none fixed yet). A caller that
    /// encodes with <see cref="Encode"/> outside the write path re-encodes if this moved before its write.</summary>
    public int CentreVersion => _centring.Version;

    /// <summary>The collection centre (all zeros before it is fixed, and for schemes that are not centred).</summary>
    public float[] CentreVector() => _centring.Centre.Vector.ToArray();

    /// <summary>What the codes are residuals to, for reports: "none", "mean" (the collection mean) or "mean+lists"
    /// (trained IVF lists' centroids), with "+rho" when eden-unbiased stores the ranking scale ρ·S.</summary>
    public string CentringDescription => _centring.Describe(_lists.Residual);

    /// <summary>Whether the centre has been fixed (by <see cref="SetCentre"/> or the options).</summary>
    public bool CentreFixed => _centring.IsFixed;

    /// <summary>
    /// Whether adding <paramref name="adding"/> vectors reaches the centre sample size while no centre is fixed: the
    /// caller then computes it (<see cref="ComputeCentre"/>), persists it and calls <see cref="SetCentre"/>, before it
    /// writes records that depend on it.
    /// </summary>
    public bool CentreDue(int adding) =>
        CentredCodes && !CentreFixed && !_lists.IsTrained && Options.CentreSampleSize > 0 && Count + adding >= Options.CentreSampleSize;

    /// <summary>
    /// The mean (double sums) of every live row's vector (originals from memory or the external reader, normalised for
    /// cosine, else decoded records) and of <paramref name="extra"/> (vectors one after another, as a caller is about
    /// to add them; normalised here for cosine).
    /// </summary>
    public float[] ComputeCentre(ReadOnlySpan<float> extra)
    {
        if (extra.Length % Dimension != 0)
        {
            throw new ArgumentException($"extra holds {extra.Length} floats, not a multiple of the dimension {Dimension}.", nameof(extra));
        }
        using var held = _lock.Read();
        return _sources.Mean(extra);
    }

    /// <summary>
    /// Fixes the collection centre (once; the caller persists it first) and re-encodes the rows coded before it
    /// (from originals kept in memory, else from their decoded records). Not after IVF training.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not a centring index, a centre already fixed, or a trained index.</exception>
    public void SetCentre(ReadOnlySpan<float> centre)
    {
        CodeCentre fixedCentre = _centring.Create(centre);
        using var held = _lock.Write();
        if (CentreFixed || _lists.IsTrained)
        {
            throw new InvalidOperationException("the centre is fixed already (or the index is trained).");
        }
        _centring.Fix(fixedCentre, _table, _sources);
        _placement.RebuildFlat();
    }

    /// <summary>The reconstruction x̂ of a record this index stores (<see cref="Encode"/>'s output): the decoded codes
    /// plus the collection centre for a centred record. For cosine it is the reconstruction of x/‖x‖.</summary>
    public void Decode(ReadOnlySpan<byte> record, Span<float> vector)
    {
        Layout.CheckRecord(record, nameof(record));
        if (vector.Length != Dimension)
        {
            throw new ArgumentException($"vector has {vector.Length} coordinates; the index has dimension {Dimension}.", nameof(vector));
        }
        _centring.Decode(record, vector);
    }

    /// <summary>For tests: the centre a live id's codes are relative to, and its record against that centre (the list
    /// record for trained IVF residual lists; else the stored record).</summary>
    internal (CodeCentre Centre, byte[] Record) CodesOf(ulong id)
    {
        using var held = _lock.Read();
        int row = _table.RowOf(id);
        var record = _placement.ScanRecordOf(row).ToArray();
        return (Layout.IsUncentred(record) ? CodeCentre.Zero(Dimension) : _lists.CentreOf(_lists.ListOf(row)), record);
    }

    /// <summary>True once <see cref="UseExternalOriginals"/> has moved re-ranking to an <see cref="IOriginalReader"/>.</summary>
    public bool OriginalsAreExternal => _originals.IsExternal;

    /// <summary>Bytes of memory held by the in-memory originals (rows, norms and live bits of every allocated chunk
    /// of <see cref="Originals"/>); 0 when none are kept or they are external. Rows are never reused, so this grows
    /// with every insert and overwrite, not with <see cref="Count"/>.</summary>
    public long OriginalBytesInMemory => OriginalBytes(moreRows: null);

    /// <summary>Bytes the in-memory originals would hold after <paramref name="moreRows"/> more inserts (the engine
    /// checks its budget with this before a batch); 0 when originals are not kept in memory.</summary>
    public long OriginalBytesInMemoryAfter(int moreRows) => OriginalBytes(moreRows);

    /// <summary>The originals' bytes in memory now (null) or for the rows after <paramref name="moreRows"/> more.</summary>
    private long OriginalBytes(int? moreRows)
    {
        using var held = _lock.Read();
        return _originals.BytesInMemory(moreRows is { } more ? _table.RowCount + (long)more : null);
    }

    /// <inheritdoc cref="RowOriginals.UseExternal"/>
    public void UseExternalOriginals(IOriginalReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var held = _lock.Write();
        _originals.UseExternal(_table, reader);
    }

    public void Dispose()
    {
        _originals.Dispose();
        _lock.Dispose();
    }
}

/// <summary>Forces a kernel width for every part of an index (tests and A/B benchmarks); null fields = best.</summary>
public sealed record SimdLevelOverride(Common.SimdLevel Level);

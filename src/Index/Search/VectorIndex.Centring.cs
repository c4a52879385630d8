using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

/// <summary>
/// Centred codes (format v2, docs/codec.md "Centred codes"): every row of a centring scheme is coded as its residual
/// to a centre, and the query's part along the centre is computed exactly. The flat partition (and IVF before
/// training) uses the collection centre, the mean of the first <see cref="VectorIndexOptions.CentreSampleSize"/>
/// vectors; trained IVF lists use their own centroid. Rows written before the collection centre was fixed carry
/// uncentred records (flagged, <see cref="CodeLayout.IsUncentred"/>) and are re-encoded when it is fixed.
/// </summary>
public sealed partial class VectorIndex
{
    private bool _centred;
    private CodeCentre _centre = null!;
    private ScaledCodeQuantizer? _centredCodec;
    private int _centreVersion;
    private bool _rho; // records (stored, and the lists' in-memory ones) hold ρ·S (VectorIndexOptions.RhoRanking)
    private int _scaleSearch; // frame scalings tried per vector at encode (0 = only the nominal one)

    /// <summary>Whether this index writes centred (format 2) records for its scheme.</summary>
    public bool CentredCodes => _centred;

    /// <summary>Changes whenever the centre records are encoded against changes (0 = none fixed yet). A caller that
    /// encodes with <see cref="Encode"/> outside the write path re-encodes if this moved before its write.</summary>
    public int CentreVersion => Volatile.Read(ref _centreVersion);

    /// <summary>The collection centre (all zeros before it is fixed, and for schemes that are not centred).</summary>
    public float[] CentreVector() => _centre.Vector.ToArray();

    /// <summary>What the codes are residuals to, for reports: "none", "mean" (the collection mean) or "mean+lists"
    /// (trained IVF lists' centroids), with "+rho" when eden-unbiased stores the ranking scale ρ·S.</summary>
    public string CentringDescription =>
        !_centred ? "none" : (_lists.Residual ? "mean+lists" : "mean") + (_rho ? "+rho" : "");

    /// <summary>Whether the centre has been fixed (by <see cref="SetCentre"/> or the options).</summary>
    public bool CentreFixed => CentreVersion > 0;

    private void InitialiseCentring()
    {
        _centred = Options.CodeFormat >= CodeLayout.LayoutVersion && Layout.SupportsCentring;
        if (Options.CodeFormat is not (CodeLayout.UncentredLayoutVersion or CodeLayout.LayoutVersion))
        {
            throw new ArgumentOutOfRangeException(nameof(Options), Options.CodeFormat,
                $"code format {Options.CodeFormat} is unknown; this build reads formats {CodeLayout.UncentredLayoutVersion} and {CodeLayout.LayoutVersion}.");
        }
        _centredCodec = _centred ? (ScaledCodeQuantizer)Quantizer : null;
        bool rhoScheme = _centred && Options.Quantizer.Scheme == QuantizerScheme.EdenUnbiased;
        _rho = rhoScheme && Options.RhoRanking;
        _scaleSearch = Options.EffectiveScaleSearch > 1 ? Options.EffectiveScaleSearch : 0;
        _centre = CodeCentre.Zero(Dimension);
        if (_centred && Options.Centre is { } centre)
        {
            _centre = CodeCentre.Create(centre, Quantizer.Rotation, Quantizer.Level);
            _centreVersion = 1;
        }
    }

    /// <summary>
    /// Whether adding <paramref name="adding"/> vectors reaches the centre sample size while no centre is fixed: the
    /// caller then computes it (<see cref="ComputeCentre"/>), persists it and calls <see cref="SetCentre"/>, before it
    /// writes records that depend on it.
    /// </summary>
    public bool CentreDue(int adding) =>
        _centred && !CentreFixed && !_lists.IsTrained && Options.CentreSampleSize > 0 && Count + adding >= Options.CentreSampleSize;

    /// <summary>
    /// The mean (double sums) of every live row's vector (originals from memory or the external reader, normalised for
    /// cosine, else decoded records) and of
    /// <paramref name="extra"/> (vectors one after another, as a caller is about to add them; normalised here for cosine).
    /// </summary>
    public float[] ComputeCentre(ReadOnlySpan<float> extra)
    {
        if (extra.Length % Dimension != 0)
        {
            throw new ArgumentException($"extra holds {extra.Length} floats, not a multiple of the dimension {Dimension}.", nameof(extra));
        }
        var sums = new double[Dimension];
        var vector = new float[Dimension];
        int n = 0;
        _lock.EnterReadLock();
        try
        {
            foreach (int row in _rowOfId.Values)
            {
                SourceVectorOfRow(row, vector);
                Accumulate(sums, vector);
                n++;
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
        for (int i = 0; i < extra.Length / Dimension; i++)
        {
            extra.Slice(i * Dimension, Dimension).CopyTo(vector);
            if (Options.Metric == Metric.Cosine)
            {
                Normalise(vector);
            }
            Accumulate(sums, vector);
            n++;
        }
        var mean = new float[Dimension];
        for (int j = 0; j < Dimension && n > 0; j++)
        {
            mean[j] = (float)(sums[j] / n);
        }
        return mean;
    }

    /// <summary>
    /// Fixes the collection centre (once; the caller persists it first) and re-encodes the rows coded before it
    /// (from originals kept in memory, else from their decoded records). Not after IVF training.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not a centring index, a centre already fixed, or a trained index.</exception>
    public void SetCentre(ReadOnlySpan<float> centre)
    {
        if (!_centred)
        {
            throw new InvalidOperationException($"a {Options.Quantizer.Scheme.Id()} index in code format {Options.CodeFormat} is not centred.");
        }
        var fixedCentre = CodeCentre.Create(centre, Quantizer.Rotation, Quantizer.Level);
        _lock.EnterWriteLock();
        try
        {
            if (CentreFixed || _lists.IsTrained)
            {
                throw new InvalidOperationException("the centre is fixed already (or the index is trained).");
            }
            _centre = fixedCentre;
            var vector = new float[Dimension];
            foreach (int row in _rowOfId.Values)
            {
                Span<byte> record = RecordOf(row);
                if (Layout.IsUncentred(record) && !_centre.IsZero)
                {
                    SourceVectorOfRow(row, vector);
                    _centredCodec!.EncodeCentred(vector, _centre, Options.Metric == Metric.L2, record, _rho, _scaleSearch);
                }
            }
            RebuildFlatPartition();
            Interlocked.Increment(ref _centreVersion);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private Span<byte> RecordOf(int row) => _records.AsSpan(row * Layout.RecordSize, Layout.RecordSize);

    /// <summary>The record the scan's codes of a row come from: its list record for residual lists, else its stored one.</summary>
    private ReadOnlySpan<byte> ScanRecordOf(int row) => _lists.Residual ? _lists.RecordOf(row) : RecordOf(row);

    /// <summary>Re-adds every row (deleted ones as deleted) to a new flat partition (write lock held).</summary>
    private void RebuildFlatPartition()
    {
        _lists.ReplaceFlat(NewPartition());
        Partitions[0].Reserve(_rows);
        var live = new bool[_rows];
        foreach (int row in _rowOfId.Values)
        {
            live[row] = true;
        }
        for (int row = 0; row < _rows; row++)
        {
            AddToPartition(row, 0);
            if (!live[row])
            {
                _lists.DeleteFlat(row);
            }
        }
    }

    /// <summary>
    /// A record stored by a caller (e.g. read back from storage) made consistent with the current centre: an uncentred
    /// record is re-encoded once a centre is fixed, from <paramref name="original"/> when given (normalised for cosine)
    /// or else from its decoded codes. Returns the record to keep (<paramref name="record"/> itself when unchanged).
    /// </summary>
    private ReadOnlySpan<byte> ConsistentRecord(ulong id, ReadOnlySpan<byte> record, ReadOnlySpan<float> original, Span<byte> scratch)
    {
        if (!_centred || _centre.IsZero || !Layout.IsUncentred(record))
        {
            return record;
        }
        var vector = new float[Dimension];
        SourceVector(id, original, record, vector);
        _centredCodec!.EncodeCentred(vector, _centre, Options.Metric == Metric.L2, scratch, _rho, _scaleSearch);
        return scratch;
    }

    /// <summary>
    /// The vector codes are made from when a row is (re-)encoded: the original, from memory or else from the external
    /// reader (so the codes do not depend on where the originals are kept), normalised for cosine; the decoded record
    /// when there is none.
    /// </summary>
    private void SourceVectorOfRow(int row, Span<float> destination)
    {
        if (_originals is not null)
        {
            VectorOfRow(row, destination);
        }
        else
        {
            SourceVector(_ids[row], default, RecordOf(row), destination);
        }
    }

    /// <summary><see cref="SourceVectorOfRow"/> for a point that is not (yet) a row: <paramref name="original"/> when
    /// given, else the external reader's, else the decoded <paramref name="record"/>.</summary>
    private void SourceVector(ulong id, ReadOnlySpan<float> original, ReadOnlySpan<byte> record, Span<float> destination)
    {
        if (!original.IsEmpty)
        {
            original.CopyTo(destination);
            if (Options.Metric == Metric.Cosine)
            {
                Normalise(destination);
            }
        }
        else if (!TryReadExternal(id, destination))
        {
            DecodeRecord(record, destination);
        }
    }

    /// <summary>Reads one original through the external reader (normalised for cosine); false when there is no reader
    /// or no original for the id.</summary>
    private bool TryReadExternal(ulong id, Span<float> destination)
    {
        Span<bool> found = stackalloc bool[1];
        return TryReadExternal([id], destination, found) && found[0];
    }

    /// <summary>
    /// <see cref="SourceVectorOfRow"/> for many rows with one call to the external reader (rows one after another in
    /// <paramref name="destination"/>), so that re-encoding rows whose originals are in storage does not read them one
    /// by one.
    /// </summary>
    private void SourceVectorsOfRows(ReadOnlySpan<int> rows, Span<float> destination)
    {
        Span<bool> found = rows.Length <= 1024 ? stackalloc bool[rows.Length] : new bool[rows.Length];
        found.Clear();
        if (_originals is null)
        {
            Span<ulong> ids = rows.Length <= 1024 ? stackalloc ulong[rows.Length] : new ulong[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                ids[i] = _ids[rows[i]];
            }
            TryReadExternal(ids, destination, found);
        }
        for (int i = 0; i < rows.Length; i++)
        {
            if (!found[i])
            {
                VectorOfRow(rows[i], destination.Slice(i * Dimension, Dimension));
            }
        }
    }

    /// <summary>Reads originals through the external reader, widened to float and normalised for cosine, one after
    /// another into <paramref name="destination"/>; <paramref name="found"/> says which ids had one. False when there
    /// is no reader (nothing is read).</summary>
    private bool TryReadExternal(ReadOnlySpan<ulong> ids, Span<float> destination, Span<bool> found)
    {
        if (Volatile.Read(ref _externalOriginals) is not { } reader || Options.Originals == OriginalsFormat.None)
        {
            return false;
        }
        reader.ReadFloats(Options.Originals, Dimension, ids, destination, found);
        if (Options.Metric == Metric.Cosine)
        {
            for (int i = 0; i < ids.Length; i++)
            {
                if (found[i])
                {
                    Normalise(destination.Slice(i * Dimension, Dimension));
                }
            }
        }
        return true;
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
        DecodeRecord(record, vector);
    }

    /// <summary>x̂ of a stored record: the quantizer's decoding, plus the collection centre for a centred record.</summary>
    private void DecodeRecord(ReadOnlySpan<byte> record, Span<float> destination)
    {
        if (!_centred)
        {
            Quantizer.Decode(record, destination);
            return;
        }
        Span<byte> buffer = Layout.RecordSize <= 4096 ? stackalloc byte[Layout.RecordSize] : new byte[Layout.RecordSize];
        record.CopyTo(buffer);
        bool uncentred = Layout.IsUncentred(record);
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(buffer.Slice(Layout.ScaleOffset), MathF.Abs(Layout.ReadScale(record)));
        Quantizer.Decode(buffer, destination);
        if (!uncentred)
        {
            ReadOnlySpan<float> c = _centre.Vector;
            for (int j = 0; j < destination.Length; j++)
            {
                destination[j] += c[j];
            }
        }
    }

    /// <summary>The centre the codes of a partition are relative to.</summary>
    private CodeCentre PartitionCentre(int partition) => _lists.CentreOf(partition, _centre);

    /// <summary>The ranking score's part along a partition's centre c, q as searched: ⟨q, c⟩ (IP, cosine) or 2⟨q, c⟩
    /// (L2, whose records hold 2β − ‖x‖²).</summary>
    private double CentreShift(int partition, ReadOnlySpan<float> query)
    {
        if (!_centred)
        {
            return 0;
        }
        double dot = PartitionCentre(partition).Dot(query, Quantizer.Level);
        return Options.Metric == Metric.L2 ? 2 * dot : dot;
    }

    /// <summary>
    /// The norm the auto re-rank bound uses for a centred record: ‖r‖ ≈ |A|·√d·f, f the quantizer's
    /// <see cref="EstimatorVariance.NormFactor"/> (what its scale A implies).
    /// </summary>
    private float ResidualNormOf(float scale) => (float)(Math.Abs(scale) * Math.Sqrt(Dimension) * _variance.NormFactor);

    /// <summary>For tests: the centre a live id's codes are relative to, and its record against that centre (the list
    /// record for trained IVF residual lists; else the stored record).</summary>
    internal (CodeCentre Centre, byte[] Record) CodesOf(ulong id)
    {
        _lock.EnterReadLock();
        try
        {
            int row = _rowOfId[id];
            CodeCentre centre = PartitionCentre(_lists.ListOf(row));
            var record = ScanRecordOf(row).ToArray();
            return (Layout.IsUncentred(record) ? CodeCentre.Zero(Dimension) : centre, record);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private static void Accumulate(double[] sums, ReadOnlySpan<float> vector)
    {
        for (int j = 0; j < sums.Length; j++)
        {
            sums[j] += vector[j];
        }
    }
}

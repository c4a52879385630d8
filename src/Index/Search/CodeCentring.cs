using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

/// <summary>
/// Centred codes (format v2, docs/codec.md "Centred codes"): every row of a centring scheme is coded as its residual
/// to a centre, and the query's part along the centre is computed exactly. The flat partition (and IVF before
/// training) uses the collection centre, the mean of the first <see cref="VectorIndexOptions.CentreSampleSize"/>
/// vectors; trained IVF lists use their own centroid (<see cref="IvfLists.CentreOf"/>). Rows written before the
/// collection centre was fixed carry uncentred records (flagged, <see cref="CodeLayout.IsUncentred"/>) and are
/// re-encoded when it is fixed (<see cref="Fix"/>). This class owns the collection centre and how a record is
/// encoded, decoded and scored against a centre; format 1 (and tq-prod) records are the quantizer's own.
/// Not thread-safe for writes: the index's write lock guards <see cref="Fix"/>; the centre is published with a
/// volatile write so that <see cref="EncodeSearched"/> may run outside the lock.
/// </summary>
internal sealed class CodeCentring
{
    private readonly VectorIndexOptions _options;
    private readonly IVectorQuantizer _quantizer;
    private readonly CodeLayout _layout;
    private readonly ScaledCodeQuantizer? _codec; // the centring scheme's quantizer; null when not centred
    private readonly bool _l2;
    private readonly int _scaleSearch; // frame scalings tried per vector at encode (0 = only the nominal one)
    private CodeCentre _centre;
    private int _version;

    /// <exception cref="ArgumentOutOfRangeException">A code format this build does not read.</exception>
    public CodeCentring(VectorIndexOptions options, IVectorQuantizer quantizer)
    {
        _options = options;
        _quantizer = quantizer;
        _layout = quantizer.Layout;
        _l2 = options.Metric == Metric.L2;
        IsCentred = options.CodeFormat >= CodeLayout.LayoutVersion && _layout.SupportsCentring;
        CheckFormat();
        _codec = IsCentred ? (ScaledCodeQuantizer)quantizer : null;
        Rho = IsCentred && options.Quantizer.Scheme == QuantizerScheme.EdenUnbiased && options.RhoRanking;
        _scaleSearch = options.EffectiveScaleSearch > 1 ? options.EffectiveScaleSearch : 0;
        _centre = CodeCentre.Zero(options.Dimension);
        if (IsCentred && options.Centre is { } centre)
        {
            _centre = CodeCentre.Create(centre, quantizer.Rotation, quantizer.Level);
            _version = 1;
        }
        Variance = quantizer.Variance(Rho);
    }

    /// <summary>Refuses a code format this build does not read (named as the index's <c>Options</c>, as before).</summary>
    private void CheckFormat()
    {
        if (_options.CodeFormat is not (CodeLayout.UncentredLayoutVersion or CodeLayout.LayoutVersion))
        {
            throw new ArgumentOutOfRangeException(nameof(VectorIndex.Options), _options.CodeFormat,
                $"code format {_options.CodeFormat} is unknown; this build reads formats {CodeLayout.UncentredLayoutVersion} and {CodeLayout.LayoutVersion}.");
        }
    }

    /// <summary>Whether this index writes centred (format 2) records for its scheme.</summary>
    public bool IsCentred { get; }

    /// <summary>Whether records (stored, and the lists' in-memory ones) hold ρ·S (<see cref="VectorIndexOptions.RhoRanking"/>).</summary>
    public bool Rho { get; }

    /// <summary>The quantizer's error model for these records (the auto re-rank's bounds).</summary>
    public EstimatorVariance Variance { get; }

    /// <summary>The collection centre (zero until fixed, and for schemes that are not centred).</summary>
    public CodeCentre Centre => Volatile.Read(ref _centre);

    /// <summary>Changes whenever the centre records are encoded against changes (0 = none fixed yet).</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Whether the centre has been fixed (by <see cref="Fix"/> or the options).</summary>
    public bool IsFixed => Version > 0;

    /// <summary>"none", "mean" or "mean+lists" (with trained residual lists), with "+rho" when records hold ρ·S.</summary>
    public string Describe(bool residualLists) =>
        !IsCentred ? "none" : (residualLists ? "mean+lists" : "mean") + (Rho ? "+rho" : "");

    /// <summary>
    /// The record stored for <paramref name="vector"/>: <see cref="EncodeSearched"/> of the vector, or, for cosine, of
    /// x/‖x‖ (<see cref="UnitNormalisation"/>; a zero vector stays zero).
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public void Encode(ReadOnlySpan<float> vector, Span<byte> record)
    {
        if (_options.Metric != Metric.Cosine)
        {
            EncodeSearched(vector, record);
            return;
        }
        const int StackFloats = 1024;
        float[]? rented = vector.Length > StackFloats ? System.Buffers.ArrayPool<float>.Shared.Rent(vector.Length) : null;
        Span<float> normalised = rented is null ? stackalloc float[StackFloats] : rented;
        normalised = normalised[..vector.Length];
        vector.CopyTo(normalised);
        UnitNormalisation.Normalise(normalised);
        EncodeSearched(normalised, record);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>The record of a vector as searched (already normalised for cosine): format 2 against the current
    /// centre, format 1 (and tq-prod) the quantizer's own.</summary>
    public void EncodeSearched(ReadOnlySpan<float> vector, Span<byte> record)
    {
        if (IsCentred)
        {
            EncodeAgainst(vector, Centre, record);
        }
        else
        {
            _quantizer.Encode(vector, record);
        }
    }

    /// <summary>The centred record of a vector as searched against <paramref name="centre"/> (a list's or the
    /// collection's); centring schemes only.</summary>
    public void EncodeAgainst(ReadOnlySpan<float> vector, CodeCentre centre, Span<byte> record) =>
        _codec!.EncodeCentred(vector, centre, _l2, record, Rho, _scaleSearch);

    /// <summary>x̂ of a stored record: the quantizer's decoding, plus the collection centre for a centred record.</summary>
    public void Decode(ReadOnlySpan<byte> record, Span<float> destination)
    {
        if (!IsCentred)
        {
            _quantizer.Decode(record, destination);
            return;
        }
        Span<byte> buffer = _layout.RecordSize <= 4096 ? stackalloc byte[_layout.RecordSize] : new byte[_layout.RecordSize];
        record.CopyTo(buffer);
        bool uncentred = _layout.IsUncentred(record);
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(buffer.Slice(_layout.ScaleOffset), MathF.Abs(_layout.ReadScale(record)));
        _quantizer.Decode(buffer, destination);
        if (!uncentred)
        {
            ReadOnlySpan<float> c = _centre.Vector;
            for (int j = 0; j < destination.Length; j++)
            {
                destination[j] += c[j];
            }
        }
    }

    /// <summary>The collection centre a caller fixes, rotated once (outside the index's lock).</summary>
    /// <exception cref="InvalidOperationException">Not a centring index.</exception>
    public CodeCentre Create(ReadOnlySpan<float> centre)
    {
        if (!IsCentred)
        {
            throw new InvalidOperationException($"a {_options.Quantizer.Scheme.Id()} index in code format {_options.CodeFormat} is not centred.");
        }
        return CodeCentre.Create(centre, _quantizer.Rotation, _quantizer.Level);
    }

    /// <summary>
    /// Fixes the collection centre and re-encodes the live rows coded before it (from their source vectors), then
    /// moves <see cref="Version"/>. Write lock held; the caller rebuilds the flat partition from the new records.
    /// </summary>
    public void Fix(CodeCentre centre, RowTable rows, RowSources sources)
    {
        Volatile.Write(ref _centre, centre);
        var vector = new float[_options.Dimension];
        foreach (int row in rows.LiveRows)
        {
            Span<byte> record = rows.RecordOf(row);
            if (_layout.IsUncentred(record) && !centre.IsZero)
            {
                sources.OfRow(row, vector);
                EncodeAgainst(vector, centre, record);
            }
        }
        Interlocked.Increment(ref _version);
    }

    /// <summary>Whether a stored record was coded before the current centre was fixed (uncentred while one is), so
    /// that <see cref="Consistent"/> re-encodes it.</summary>
    public bool IsStale(ReadOnlySpan<byte> record) => IsCentred && !_centre.IsZero && _layout.IsUncentred(record);

    /// <summary>
    /// A record stored by a caller (e.g. read back from storage) made consistent with the current centre: an uncentred
    /// record is re-encoded once a centre is fixed, from <paramref name="original"/> when given (normalised for cosine)
    /// or else from its source (<see cref="RowSources.Of"/>). Returns the record to keep (<paramref name="record"/>
    /// itself when unchanged, else <paramref name="scratch"/>).
    /// </summary>
    public ReadOnlySpan<byte> Consistent(ulong id, ReadOnlySpan<byte> record, ReadOnlySpan<float> original, Span<byte> scratch,
        RowSources sources)
    {
        if (!IsStale(record))
        {
            return record;
        }
        var vector = new float[_options.Dimension];
        sources.Of(id, original, record, vector);
        EncodeAgainst(vector, _centre, scratch);
        return scratch;
    }

    /// <summary>The ranking score's part along a centre c, q as searched: ⟨q, c⟩ (IP, cosine) or 2⟨q, c⟩ (L2, whose
    /// records hold 2β − ‖x‖²); 0 when records are not centred.</summary>
    public double Shift(CodeCentre centre, ReadOnlySpan<float> query)
    {
        if (!IsCentred)
        {
            return 0;
        }
        double dot = centre.Dot(query, _quantizer.Level);
        return _l2 ? 2 * dot : dot;
    }

    /// <summary>
    /// The scan's factors of a record: IP and cosine rank by A·sum (the estimate); L2 ranks by 2A·sum − N²
    /// (= ‖q‖² − estimated distance). Centred records (format 2) add their offset B; the centre's part is added per
    /// query (<see cref="Shift"/>). Returns the row's norm for the auto re-rank bound: ‖x‖, or for a centred record
    /// ‖r‖ ≈ |A|·√d·f, f the quantizer's <see cref="EstimatorVariance.NormFactor"/> (what its scale A implies).
    /// </summary>
    public float ScanFactors(ReadOnlySpan<byte> record, out float factor, out float offset, out float signFactor)
    {
        float scale = _layout.ReadScale(record);
        float signScale = _layout.ReadQjlScale(record);
        float norm;
        if (IsCentred)
        {
            scale = MathF.Abs(scale);
            offset = _layout.ReadOffset(record);
            norm = (float)(Math.Abs(scale) * Math.Sqrt(_options.Dimension) * Variance.NormFactor);
        }
        else
        {
            norm = _layout.ReadNorm(record);
            offset = _l2 ? -norm * norm : 0f;
        }
        factor = _l2 ? 2 * scale : scale;
        signFactor = _l2 ? 2 * signScale : signScale;
        return norm;
    }
}

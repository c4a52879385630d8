using VectorDb.Index.Clustering;
using VectorDb.Index.Quantization;

namespace VectorDb.Index.Search;

/// <summary>
/// Places the row table's rows in the scan: each row's codes into its list (its own partition, or its blocks of the
/// pool for code lists) with the factors that turn code sums into ranking scores (<see cref="CodeCentring.ScanFactors"/>),
/// its record against its list centroid for residual lists, and its norm, which bounds the auto re-rank's σ. Not
/// thread-safe: called under the index's write lock (reads under its read lock).
/// </summary>
internal sealed class RowPlacement
{
    private readonly RowTable _rows;
    private readonly IvfLists _lists;
    private readonly CodeCentring _centring;
    private readonly RowSources _sources;
    private readonly CodeLayout _layout;
    private readonly Common.SimdLevel _level;
    private float[] _norms = new float[64];

    /// <param name="rows">The row table (records, live rows).</param>
    /// <param name="lists">The lists and scan partitions rows are placed in.</param>
    /// <param name="centring">Scan factors and list encoding.</param>
    /// <param name="sources">The vectors rows are re-encoded and assigned from.</param>
    /// <param name="quantizer">The collection's quantizer (layout and kernel level).</param>
    public RowPlacement(RowTable rows, IvfLists lists, CodeCentring centring, RowSources sources, IVectorQuantizer quantizer)
    {
        _rows = rows;
        _lists = lists;
        _centring = centring;
        _sources = sources;
        _layout = quantizer.Layout;
        _level = quantizer.Level;
    }

    /// <summary>Per row, the norm the auto re-rank bound uses (see <see cref="CodeCentring.ScanFactors"/>).</summary>
    public float[] Norms => _norms;

    /// <summary>Largest norm of any row placed since the lists were last replaced: bounds every row's σ.</summary>
    public float MaxNorm { get; private set; }

    /// <summary>Room for <paramref name="capacity"/> rows in the per-row arrays (norms and the lists').</summary>
    public void Grow(int capacity)
    {
        Array.Resize(ref _norms, capacity);
        _lists.Grow(capacity);
    }

    /// <summary>Places a new row in its list: the flat partition, or the nearest list once lists are trained.</summary>
    public void Add(int row) => Add(row, _lists.Count == 1 ? 0 : NearestList(row, null));

    /// <summary><see cref="Add(int)"/> into a list already chosen. With residual lists the row's record against that
    /// list's centroid is <see cref="IvfLists.RecordOf"/>: already there when <paramref name="listRecordReady"/> (a
    /// training encoded it), else encoded here.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public void Add(int row, int list, bool listRecordReady = false)
    {
        scoped ReadOnlySpan<byte> record = _rows.RecordOf(row);
        if (_lists.Residual)
        {
            // The row's record against its list centroid is kept (refinement and the auto bound read it).
            Span<byte> kept = _lists.RecordOf(row);
            if (!listRecordReady)
            {
                EncodeForList(row, _lists.CentreOf(list), kept);
            }
            record = kept;
        }
        float norm = _centring.ScanFactors(record, out float factor, out float offset, out float signFactor);
        _norms[row] = norm;
        MaxNorm = MathF.Max(MaxNorm, norm);
        _lists.Place(row, list, _layout.Codes(record), _layout.Signs(record), factor, offset, signFactor);
    }

    /// <summary>Forgets the norm bound when the lists are replaced: only the rows placed again count, with the norms of
    /// their new residuals, so it does not depend on which rows happened to be added before the switch.</summary>
    public void RestartNormBound() => MaxNorm = 0;

    /// <summary>Re-adds every row (deleted ones as deleted) to a new flat partition, e.g. once the centre is fixed.</summary>
    public void RebuildFlat()
    {
        int rowCount = _rows.RowCount;
        _lists.ReplaceFlat();
        _lists.Partitions[0].Reserve(rowCount);
        var live = new bool[rowCount];
        foreach (int row in _rows.LiveRows)
        {
            live[row] = true;
        }
        for (int row = 0; row < rowCount; row++)
        {
            Add(row, 0);
            if (!live[row])
            {
                _lists.DeleteFlat(row);
            }
        }
    }

    /// <summary>The record the scan's codes of a row come from: its list record for residual lists, else its stored one.</summary>
    public ReadOnlySpan<byte> ScanRecordOf(int row) => _lists.Residual ? _lists.RecordOf(row) : _rows.RecordOf(row);

    /// <summary>The list a row belongs to: the best centroid under the lists' probing rule (same scores, ties to the
    /// smaller list), against <paramref name="centroids"/> (null: the adopted lists').</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public int NearestList(int row, CentroidTable? centroids)
    {
        int dimension = _layout.Dimension;
        Span<float> vector = dimension <= 1024 ? stackalloc float[dimension] : new float[dimension];
        _sources.OfRow(row, vector); // the original wherever it is kept, so lists do not depend on where that is
        return centroids is null ? _lists.Nearest(vector, _level) : IvfLists.Nearest(vector, centroids, _level);
    }

    /// <summary>The record of row's vector (original, else decoded) as a residual to <paramref name="centre"/>.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private void EncodeForList(int row, CodeCentre centre, Span<byte> record)
    {
        int dimension = _layout.Dimension;
        Span<float> vector = dimension <= 1024 ? stackalloc float[dimension] : new float[dimension];
        _sources.OfRow(row, vector);
        _centring.EncodeAgainst(vector, centre, record);
    }
}

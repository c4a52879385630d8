using System.Runtime.CompilerServices;
using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rotation;

namespace VectorDb.Index.Estimation;

/// <summary>
/// Scores a full-precision query against encoded records without decoding them (asymmetric distance computation).
/// <see cref="Prepare"/> rotates the query once (ŷ = Πq; for tq-prod also ŝ = P·ŷ) and builds per-query lookup
/// tables; each score is then one pass over the record's packed codes plus a few multiplies:
/// <code>
/// ip  = A · Σ_j ŷ_j·c[code_j]  (+ B · Σ_j ŝ_j·sign_j)       (see <see cref="CodeLayout"/> for A, B, N)
/// L2  = max(0, ‖q‖² + N² − 2·ip)      cosine = ip / (‖q‖·N), 0 when ‖q‖·N = 0
/// </code>
/// Reusable across queries and allocation-free after construction; not thread-safe (one per thread).
/// </summary>
public sealed class InnerProductEstimator
{
    private readonly CodeLayout _layout;
    private readonly HadamardRotation _rotation;
    private readonly HadamardRotation? _projection;
    private readonly Codebook? _codebook;
    private readonly SimdLevel _level;
    private readonly float[] _rotatedQuery;
    private readonly float[] _projectedQuery;
    private readonly CodeSumTable _codeTable;
    private readonly CodeSumTable _signTable;
    private double _querySquaredNorm;
    private double _queryNorm;

    internal InnerProductEstimator(CodeLayout layout, HadamardRotation rotation, Codebook? codebook,
        HadamardRotation? projection, SimdLevel level)
    {
        _layout = layout;
        _rotation = rotation;
        _codebook = codebook;
        _projection = projection;
        _level = level;
        _rotatedQuery = new float[layout.Dimension];
        _projectedQuery = projection is null ? [] : new float[layout.Dimension];
        _codeTable = new CodeSumTable(layout.Dimension, layout.CodeBits);
        _signTable = new CodeSumTable(projection is null ? 0 : layout.Dimension, projection is null ? 0 : 1);
    }

    /// <summary>Layout of the records this estimator scores.</summary>
    public CodeLayout Layout => _layout;

    /// <summary>Whether <see cref="Prepare"/> has been called.</summary>
    public bool IsPrepared { get; private set; }

    /// <summary>ŷ = Πq of the prepared query.</summary>
    public ReadOnlySpan<float> RotatedQuery => _rotatedQuery;

    /// <summary>ŝ = P·ŷ of the prepared query (tq-prod only; empty otherwise).</summary>
    public ReadOnlySpan<float> ProjectedQuery => _projectedQuery;

    /// <summary>‖q‖² of the prepared query (double, fixed summation order).</summary>
    public double QuerySquaredNorm => _querySquaredNorm;

    /// <summary>Rotates <paramref name="query"/> and builds the lookup tables. Throws ArgumentException on a wrong
    /// length or a non-finite coordinate (the previous query stays prepared then).</summary>
    public void Prepare(ReadOnlySpan<float> query)
    {
        double squaredNorm = VectorChecks.SquaredNorm(query, _layout.Dimension, nameof(query), _level);
        _querySquaredNorm = squaredNorm;
        _queryNorm = Math.Sqrt(squaredNorm);
        _rotation.Forward(query, _rotatedQuery);
        if (_codebook is not null)
        {
            _codeTable.Build(_rotatedQuery, _codebook.Centroids);
        }
        if (_projection is not null)
        {
            _projection.Forward(_rotatedQuery, _projectedQuery);
            _signTable.Build(_projectedQuery, [-1f, 1f]);
        }
        IsPrepared = true;
    }

    /// <summary>Σ_j ŷ_j·c[code_j] of a record: the codebook sum before the factor A.</summary>
    public float CodebookSum(ReadOnlySpan<byte> record)
    {
        CheckReady(record);
        return _codebook is null ? 0f : _codeTable.Sum(record);
    }

    /// <summary>Σ_j ŝ_j·sign_j of a record: the QJL sum before the factor B (0 without a QJL part).</summary>
    public float SignSum(ReadOnlySpan<byte> record)
    {
        CheckReady(record);
        return _projection is null ? 0f : _signTable.Sum(record.Slice(_layout.SignOffset));
    }

    /// <summary>Estimate of ⟨q, x⟩.</summary>
    public float InnerProduct(ReadOnlySpan<byte> record) => (float)InnerProductDouble(record);

    /// <summary>Estimate of ‖q − x‖², never negative.</summary>
    public float SquaredL2(ReadOnlySpan<byte> record)
    {
        double norm = _layout.ReadNorm(record);
        return (float)Math.Max(0.0, _querySquaredNorm + norm * norm - 2.0 * InnerProductDouble(record));
    }

    /// <summary>Estimate of cos(q, x); 0 when the query or the stored norm is zero.</summary>
    public float Cosine(ReadOnlySpan<byte> record)
    {
        double denominator = _queryNorm * _layout.ReadNorm(record);
        return denominator > 0 ? (float)(InnerProductDouble(record) / denominator) : 0f;
    }

    /// <summary>Inner-product estimates of <paramref name="results"/>.Length records stored back to back.</summary>
    public void InnerProducts(ReadOnlySpan<byte> records, Span<float> results)
    {
        int size = _layout.RecordSize;
        if (records.Length != (long)results.Length * size)
        {
            throw new ArgumentException($"{results.Length} results need {(long)results.Length * size} bytes of records; got {records.Length}.", nameof(records));
        }
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = InnerProduct(records.Slice(i * size, size));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double InnerProductDouble(ReadOnlySpan<byte> record)
    {
        double ip = (double)_layout.ReadScale(record) * CodebookSum(record);
        if (_projection is not null)
        {
            ip += (double)_layout.ReadQjlScale(record) * _signTable.Sum(record.Slice(_layout.SignOffset));
        }
        return ip;
    }

    private void CheckReady(ReadOnlySpan<byte> record)
    {
        if (!IsPrepared)
        {
            throw new InvalidOperationException("call Prepare(query) before scoring records.");
        }
        _layout.CheckRecord(record, nameof(record));
    }
}

using VectorDb.Index.Common;
using VectorDb.Index.Estimation;
using VectorDb.Index.Rotation;

namespace VectorDb.Index.Quantization;

/// <summary>
/// One quantization scheme bound to its parameters: encodes vectors into fixed-size records (<see cref="Layout"/>),
/// decodes them, and creates estimators that score a full-precision query against records without decoding them.
/// Instances are immutable and thread-safe; estimators are not (create one per thread).
/// </summary>
public interface IVectorQuantizer
{
    /// <summary>The persisted parameters.</summary>
    QuantizerOptions Options { get; }

    /// <summary>Record layout (sizes, offsets, version).</summary>
    CodeLayout Layout { get; }

    /// <summary>The rotation Π applied before quantization (and to queries).</summary>
    HadamardRotation Rotation { get; }

    /// <summary>Codebook of the index part; null for tq-prod at b = 1, whose records hold only QJL signs.</summary>
    Codebook? Codebook { get; }

    /// <summary>Kernel width in use (every level writes identical records).</summary>
    SimdLevel Level { get; }

    /// <summary>
    /// Encodes <paramref name="vector"/> (d finite floats) into <paramref name="record"/> (exactly
    /// <see cref="CodeLayout.RecordSize"/> bytes). Allocation-free. Throws ArgumentException on a wrong length,
    /// a NaN/infinite coordinate (naming the first one) or a norm too large for float32; the record is untouched then.
    /// </summary>
    void Encode(ReadOnlySpan<float> vector, Span<byte> record);

    /// <summary>Reconstructs x̂ from a record into <paramref name="vector"/> (d floats).</summary>
    void Decode(ReadOnlySpan<byte> record, Span<float> vector);

    /// <summary>The error model of this quantizer's estimate, for confidence bounds; <paramref name="rhoRanked"/>: the
    /// records hold the ranking scale ρ·S (eden-unbiased, centred, <c>VectorIndexOptions.RhoRanking</c>).</summary>
    EstimatorVariance Variance(bool rhoRanked);

    /// <summary>A reusable estimator for this quantizer's records (prepare a query, then score many records).</summary>
    InnerProductEstimator CreateEstimator();
}

using VectorDb.Index.Quantization;

namespace VectorDb.Index.Estimation;

/// <summary>
/// A centred record's estimate recomputed in float from the record itself (centroids looked up, no scan tables): what
/// refinement ranks the scan's candidates by, and the code part the auto re-rank's (1 − cos²) factor needs.
/// </summary>
internal static class RecordEstimate
{
    /// <summary>
    /// K + B + A·Σ_j w_j·c[code_j] in float: the code sum in coordinate order, then one fused multiply-add with the
    /// record's offset B, then the centre term <paramref name="shift"/> K.
    /// </summary>
    /// <param name="layout">The record layout.</param>
    /// <param name="record">A centred record.</param>
    /// <param name="weights">w = Πq (the offsets hold the centre's share).</param>
    /// <param name="centroids">The codebook's centroids.</param>
    /// <param name="codes">Scratch of d bytes.</param>
    /// <param name="codeFactor">2 for L2 (which ranks by 2⟨q, x⟩ − ‖x‖²), else 1.</param>
    /// <param name="shift">The centre term of the record's partition.</param>
    public static float Refined(CodeLayout layout, ReadOnlySpan<byte> record, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> centroids, Span<byte> codes, float codeFactor, float shift)
    {
        BitPacking.Unpack(layout.Codes(record), layout.CodeBits, codes);
        float sum = 0;
        for (int j = 0; j < codes.Length; j++)
        {
            sum += weights[j] * centroids[codes[j]];
        }
        float scale = MathF.Abs(layout.ReadScale(record));
        return MathF.FusedMultiplyAdd(sum, codeFactor * scale, layout.ReadOffset(record)) + shift;
    }

    /// <summary>
    /// The code part of a centred record's estimate, A·⟨Π(q − c), q̂⟩ (c the centre the record is coded against):
    /// the estimate of ⟨q − c, r⟩. The scan keeps only K + β + A·⟨Πq, q̂⟩, with β folding ⟨c, r⟩ in, so it is
    /// recomputed here (one pass over the codes, float products summed in double).
    /// </summary>
    /// <param name="layout">The record layout.</param>
    /// <param name="record">A centred record.</param>
    /// <param name="rotatedQuery">Πq.</param>
    /// <param name="rotatedCentre">Πc.</param>
    /// <param name="centroids">The codebook's centroids.</param>
    /// <param name="codes">Scratch of d bytes.</param>
    public static double CodePart(CodeLayout layout, ReadOnlySpan<byte> record, ReadOnlySpan<float> rotatedQuery,
        ReadOnlySpan<float> rotatedCentre, ReadOnlySpan<float> centroids, Span<byte> codes)
    {
        BitPacking.Unpack(layout.Codes(record), layout.CodeBits, codes);
        double sum = 0;
        for (int j = 0; j < codes.Length; j++)
        {
            sum += (rotatedQuery[j] - rotatedCentre[j]) * centroids[codes[j]];
        }
        return Math.Abs(layout.ReadScale(record)) * sum;
    }
}

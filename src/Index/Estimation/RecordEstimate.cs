using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using VectorDb.Index.Quantization;

namespace VectorDb.Index.Estimation;

/// <summary>
/// A centred record's estimate recomputed in float from the record itself (centroids looked up, no scan tables): what
/// refinement ranks the scan's candidates by, and the code part the auto re-rank's (1 − cos²) factor needs.
/// </summary>
internal static class RecordEstimate
{
    /// <summary>
    /// K + B + A·Σ_j w_j·c[code_j] in float: the code sum (<see cref="CodeDot"/>), then one fused multiply-add with the
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
        float sum = CodeDot(codes, weights, centroids, layout.CodeBits);
        float scale = MathF.Abs(layout.ReadScale(record));
        return MathF.FusedMultiplyAdd(sum, codeFactor * scale, layout.ReadOffset(record)) + shift;
    }

    /// <summary>Asks the cache for <paramref name="record"/>'s lines (its first and last byte) ahead of
    /// <see cref="Refined"/>: the candidates' records are scattered over the collection, and each would otherwise be
    /// a cache miss taken one after the other.</summary>
    public static unsafe void Prefetch(ReadOnlySpan<byte> record)
    {
        if (!Sse.IsSupported || record.IsEmpty)
        {
            return;
        }
        fixed (byte* start = record)
        {
            Sse.Prefetch0(start);
            Sse.Prefetch0(start + record.Length - 1);
        }
    }

    /// <summary>
    /// Σ_j w_j·c[code_j] in float with eight partial sums (coordinate j goes to sum j mod 8 while eight remain, the
    /// rest to sum 0 in order) added pairwise at the end. Scalar code, so every SIMD level gets the same bits; the eight
    /// sums keep eight additions in flight where one running sum waited ~4 cycles per coordinate (refining 2·k
    /// candidates was 4% of a 4-bit flat search at d = 100 with one sum).
    /// </summary>
    private static float CodeDot(ReadOnlySpan<byte> codes, ReadOnlySpan<float> weights, ReadOnlySpan<float> centroids,
        int codeBits)
    {
        // Every code is below 2^codeBits, so the unchecked centroid reads below stay in bounds.
        if (weights.Length < codes.Length || centroids.Length < 1 << codeBits)
        {
            throw new ArgumentException($"{weights.Length} weights and {centroids.Length} centroids for {codes.Length} {codeBits}-bit codes.");
        }
        ref byte code = ref MemoryMarshal.GetReference(codes);
        ref float weight = ref MemoryMarshal.GetReference(weights);
        ref float centroid = ref MemoryMarshal.GetReference(centroids);
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = 0;
        for (; j + 8 <= codes.Length; j += 8)
        {
            s0 += Unsafe.Add(ref weight, j) * Unsafe.Add(ref centroid, Unsafe.Add(ref code, j));
            s1 += Unsafe.Add(ref weight, j + 1) * Unsafe.Add(ref centroid, Unsafe.Add(ref code, j + 1));
            s2 += Unsafe.Add(ref weight, j + 2) * Unsafe.Add(ref centroid, Unsafe.Add(ref code, j + 2));
            s3 += Unsafe.Add(ref weight, j + 3) * Unsafe.Add(ref centroid, Unsafe.Add(ref code, j + 3));
            s4 += Unsafe.Add(ref weight, j + 4) * Unsafe.Add(ref centroid, Unsafe.Add(ref code, j + 4));
            s5 += Unsafe.Add(ref weight, j + 5) * Unsafe.Add(ref centroid, Unsafe.Add(ref code, j + 5));
            s6 += Unsafe.Add(ref weight, j + 6) * Unsafe.Add(ref centroid, Unsafe.Add(ref code, j + 6));
            s7 += Unsafe.Add(ref weight, j + 7) * Unsafe.Add(ref centroid, Unsafe.Add(ref code, j + 7));
        }
        for (; j < codes.Length; j++)
        {
            s0 += Unsafe.Add(ref weight, j) * Unsafe.Add(ref centroid, Unsafe.Add(ref code, j));
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
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

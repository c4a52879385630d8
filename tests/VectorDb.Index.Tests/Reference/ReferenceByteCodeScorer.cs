using VectorDb.Index.Common;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Tests.Reference;

/// <summary>
/// A slow <see cref="IBlockScorer"/> over plain byte codes (one byte per coordinate, any width): raw_v = Σ_j w_j·c[code_j]
/// in float, j = 0..d−1 in order (no FMA, no reassociation), then the production epilogue
/// (<see cref="BlockScoring.ScoreRaw"/>) at <paramref name="level"/>. Lets tests drive the flat scan with scores they can
/// recompute exactly, at widths the fast scan does not take.
/// </summary>
internal sealed class ReferenceByteCodeScorer(byte[][] codes, float[] weights, float[] centroids, SimdLevel level) : IBlockScorer
{
    public int Count => codes.Length;

    public int BlockCount => (codes.Length + FastScanCodes.BlockSize - 1) / FastScanCodes.BlockSize;

    public void ScoreBlock(int block, Span<float> raw)
    {
        raw[..FastScanCodes.BlockSize].Clear();
        for (int v = 0; v < FastScanCodes.BlockSize && block * FastScanCodes.BlockSize + v < codes.Length; v++)
        {
            byte[] row = codes[block * FastScanCodes.BlockSize + v];
            float sum = 0;
            for (int j = 0; j < row.Length; j++)
            {
                sum += weights[j] * centroids[row[j]];
            }
            raw[v] = sum;
        }
    }

    public uint ScoreBlock(int block, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold, Span<float> scores)
    {
        Span<float> raw = stackalloc float[FastScanCodes.BlockSize];
        ScoreBlock(block, raw);
        return BlockScoring.ScoreRaw(raw, factors, offsets, threshold, scores, level);
    }
}

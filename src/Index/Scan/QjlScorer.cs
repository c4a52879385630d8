using System.Runtime.CompilerServices;

namespace VectorDb.Index.Scan;

/// <summary>
/// tq-prod scoring: score = A·Σ_j ŷ_j·c[code_j] + B·Σ_j ŝ_j·sign_j (+ offset), from two stores scanned block by block
/// (the codebook part, absent at b = 1, and the QJL signs as 1-bit codes with centroids −1/+1). B is per row, read
/// from <see cref="IRowSignFactors"/> once per block.
/// </summary>
internal sealed class QjlScorer : IBlockScorer
{
    private readonly IBlockScorer? _codes;
    private readonly IBlockScorer _signs;
    private readonly IRowSignFactors _signFactors;

    /// <param name="codes">The codebook part's scorer; null at b = 1 (signs only).</param>
    /// <param name="signs">The scorer of the QJL signs (1-bit codes).</param>
    /// <param name="signFactors">The rows' factors B, read live: this scorer is cached across searches while rows are
    /// appended, so it must see the rows added after it was made.</param>
    public QjlScorer(IBlockScorer? codes, IBlockScorer signs, IRowSignFactors signFactors)
    {
        ArgumentNullException.ThrowIfNull(signs);
        ArgumentNullException.ThrowIfNull(signFactors);
        _codes = codes;
        _signs = signs;
        _signFactors = signFactors;
    }

    /// <summary>Rows now in the partition (read live: the scorer is cached across searches while rows are added).</summary>
    public int Count => _signs.Count;

    public int BlockCount => _signs.BlockCount;

    public void ScoreBlock(int block, Span<float> raw) =>
        throw new NotSupportedException("tq-prod has two per-vector factors; use the factored ScoreBlock.");

    [SkipLocalsInit]
    public uint ScoreBlock(int block, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold, Span<float> scores)
    {
        Span<float> codeSums = stackalloc float[FastScanCodes.BlockSize];
        Span<float> signSums = stackalloc float[FastScanCodes.BlockSize];
        if (_codes is null)
        {
            codeSums.Clear();
        }
        else
        {
            _codes.ScoreBlock(block, codeSums);
        }
        _signs.ScoreBlock(block, signSums);
        int first = block * FastScanCodes.BlockSize;
        ReadOnlySpan<float> signFactors = _signFactors.SignFactors;
        uint mask = 0;
        for (int v = 0; v < factors.Length; v++)
        {
            float score = factors[v] * codeSums[v] + signFactors[first + v] * signSums[v];
            if (!offsets.IsEmpty)
            {
                score += offsets[v];
            }
            scores[v] = score;
            if (score >= threshold)
            {
                mask |= 1u << v;
            }
        }
        return mask;
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

/// <summary>
/// Scores <see cref="OneBitCodes"/> against a <see cref="BitPlaneQuery"/> with 64-bit popcounts:
/// raw = Constant + Gap·(Low·popcount(x) + Step·Σ_p 2^p·popcount(x ∧ plane_p)), integer counts exact. .NET 10 has no
/// vector popcount intrinsic (AVX-512 VPOPCNTDQ is not exposed), so every level runs the same scalar POPCNT loop.
/// </summary>
public sealed class PopcountScorer : IBlockScorer
{
    private readonly OneBitCodes _codes;
    private readonly BitPlaneQuery _query;

    public PopcountScorer(OneBitCodes codes, BitPlaneQuery query)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(query);
        if (query.Dimension != codes.Dimension)
        {
            throw new ArgumentException($"query has d={query.Dimension}, the store d={codes.Dimension}.", nameof(query));
        }
        _codes = codes;
        _query = query;
    }

    public int Count => _codes.Count;

    public int BlockCount => _codes.BlockCount;

    /// <summary>For vector x: popcount(x) and Σ_p 2^p·popcount(x ∧ plane_p), the two exact integers of the estimate.</summary>
    public static (int Ones, int Weighted) Counts(ReadOnlySpan<ulong> vector, ReadOnlySpan<ulong> planes, int wordsPerVector)
    {
        int ones = 0, weighted = 0;
        for (int w = 0; w < wordsPerVector; w++)
        {
            ulong x = vector[w];
            ones += BitOperations.PopCount(x);
            weighted += BitOperations.PopCount(x & planes[w])
                + (BitOperations.PopCount(x & planes[wordsPerVector + w]) << 1)
                + (BitOperations.PopCount(x & planes[2 * wordsPerVector + w]) << 2)
                + (BitOperations.PopCount(x & planes[3 * wordsPerVector + w]) << 3);
        }
        return (ones, weighted);
    }

    public void ScoreBlock(int block, Span<float> raw)
    {
        if ((uint)block >= (uint)BlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(block), block, $"the store has {BlockCount} blocks.");
        }
        int first = block * FastScanCodes.BlockSize;
        int words = _codes.WordsPerVector;
        ReadOnlySpan<ulong> rows = _codes.Rows(first, FastScanCodes.BlockSize);
        ReadOnlySpan<ulong> planes = _query.Planes;
        float low = _query.Low, step = _query.Step, gap = _query.Gap, constant = _query.Constant;
        for (int v = 0; v < FastScanCodes.BlockSize; v++)
        {
            (int ones, int weighted) = Counts(rows.Slice(v * words, words), planes, words);
            raw[v] = MathF.FusedMultiplyAdd(gap, MathF.FusedMultiplyAdd(step, weighted, low * ones), constant);
        }
    }

    [SkipLocalsInit]
    public uint ScoreBlock(int block, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold, Span<float> scores)
    {
        Span<float> raw = stackalloc float[FastScanCodes.BlockSize];
        ScoreBlock(block, raw);
        return BlockScoring.ScoreRaw(raw, factors, offsets, threshold, scores, SimdCapabilities.Best);
    }
}

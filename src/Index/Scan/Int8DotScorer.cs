using System.Runtime.CompilerServices;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

/// <summary>
/// Scores an <see cref="Int8GridCodes"/> store with one <see cref="Int8Query"/>: raw = (query.Step·grid.Step)·dot,
/// one float product of an exact integer, so the same float at every level.
/// </summary>
public sealed class Int8DotScorer : IBlockScorer
{
    private readonly Int8GridCodes _codes;
    private readonly Int8Query _query;
    private readonly SimdLevel _level;

    public Int8DotScorer(Int8GridCodes codes, Int8Query query)
        : this(codes, query, SimdCapabilities.Best)
    {
    }

    public Int8DotScorer(Int8GridCodes codes, Int8Query query, SimdLevel level)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(query);
        if (query.Dimension != codes.Dimension)
        {
            throw new ArgumentException($"query has d={query.Dimension}, the store d={codes.Dimension}.", nameof(query));
        }
        _codes = codes;
        _query = query;
        _level = level;
    }

    public int Count => _codes.Count;

    public int BlockCount => _codes.BlockCount;

    [SkipLocalsInit]
    public void ScoreBlock(int block, Span<float> raw)
    {
        Span<int> dots = stackalloc int[FastScanCodes.BlockSize];
        Int8DotKernel.ScanBlock(_level, _codes, block, _query, dots);
        float unit = _query.Step * _codes.Grid.Step;
        for (int v = 0; v < FastScanCodes.BlockSize; v++)
        {
            raw[v] = unit * dots[v];
        }
    }

    [SkipLocalsInit]
    public uint ScoreBlock(int block, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold, Span<float> scores)
    {
        Span<float> raw = stackalloc float[FastScanCodes.BlockSize];
        ScoreBlock(block, raw);
        return BlockScoring.ScoreRaw(raw, factors, offsets, threshold, scores, _level);
    }
}

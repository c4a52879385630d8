using System.Runtime.CompilerServices;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

/// <summary>Scores a <see cref="ByteCodes"/> store with one query's <see cref="FloatLut"/> via <see cref="GatherKernel"/>.</summary>
public sealed class ByteCodeScorer : IBlockScorer
{
    private readonly ByteCodes _codes;
    private readonly FloatLut _lut;
    private readonly SimdLevel _level;

    public ByteCodeScorer(ByteCodes codes, FloatLut lut)
        : this(codes, lut, SimdCapabilities.Best)
    {
    }

    public ByteCodeScorer(ByteCodes codes, FloatLut lut, SimdLevel level)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(lut);
        if (lut.Dimension != codes.Dimension || lut.BitsPerCode != codes.BitsPerCode)
        {
            throw new ArgumentException(
                $"tables are for d={lut.Dimension}, b={lut.BitsPerCode} but the store holds d={codes.Dimension}, b={codes.BitsPerCode}.", nameof(lut));
        }
        if (!GatherKernel.IsSupported(level))
        {
            throw new PlatformNotSupportedException($"{level} gather kernel cannot run here; use one of SimdCapabilities.Available.");
        }
        _codes = codes;
        _lut = lut;
        _level = level;
    }

    public int Count => _codes.Count;

    public int BlockCount => _codes.BlockCount;

    public void ScoreBlock(int block, Span<float> raw) => GatherKernel.ScanBlock(_level, _codes, block, _lut, raw);

    [SkipLocalsInit]
    public uint ScoreBlock(int block, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold, Span<float> scores)
    {
        Span<float> raw = stackalloc float[FastScanCodes.BlockSize];
        ScoreBlock(block, raw);
        return BlockScoring.ScoreRaw(raw, factors, offsets, threshold, scores, _level);
    }
}

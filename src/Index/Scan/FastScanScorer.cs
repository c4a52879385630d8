using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;

namespace VectorDb.Index.Scan;

/// <summary>
/// Scores a <see cref="FastScanCodes"/> store with the tables of one <see cref="FastScanLut"/>: raw = Δ·S + bias per
/// vector, S from <see cref="FastScanKernel"/> at a chosen <see cref="SimdLevel"/>. The result is the same float at
/// every level (exact integer sums, exact uint→float conversion below 2^24, one fused multiply-add).
/// </summary>
public sealed class FastScanScorer : IBlockScorer
{
    private readonly FastScanCodes _codes;
    private readonly FastScanLut _lut;
    private readonly SimdLevel _level;

    public FastScanScorer(FastScanCodes codes, FastScanLut lut)
        : this(codes, lut, SimdCapabilities.Best)
    {
    }

    public FastScanScorer(FastScanCodes codes, FastScanLut lut, SimdLevel level)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(lut);
        if (lut.Dimension != codes.Dimension || lut.BitsPerCode != codes.BitsPerCode)
        {
            throw new ArgumentException(
                $"tables are for d={lut.Dimension}, b={lut.BitsPerCode} but the store holds d={codes.Dimension}, b={codes.BitsPerCode}.", nameof(lut));
        }
        if (!FastScanKernel.IsSupported(level))
        {
            throw new PlatformNotSupportedException($"{level} fast-scan kernel cannot run here; use one of SimdCapabilities.Available.");
        }
        _codes = codes;
        _lut = lut;
        _level = level;
    }

    public int Count => _codes.Count;

    /// <summary>The store scanned (for drivers that run the kernels directly).</summary>
    internal FastScanCodes Codes => _codes;

    /// <summary>The query tables the store is scored with.</summary>
    internal FastScanLut Lut => _lut;

    /// <summary>The kernel level chosen at construction.</summary>
    internal SimdLevel Level => _level;

    public int BlockCount => _codes.BlockCount;

    /// <summary>The pruned fast scan where one 16-bit pass holds every sum (and block shifts come with row terms),
    /// otherwise the per-block driver.</summary>
    void IBlockScorer.SearchBlocks(ReadOnlySpan<float> scales, ReadOnlySpan<float> offsets, ReadOnlySpan<ulong> deleted,
        TopK results, int firstBlock, int endBlock, int idBase, ScoreTermRange? termRange, RowTerms rowTerms,
        BlockShifts shifts)
    {
        if (FastScanKernel.HasSums16(_level, _lut.GroupCount) && (shifts.IsEmpty || !rowTerms.IsEmpty))
        {
            FlatScan.SearchFastScanBlocks(this, scales, offsets, deleted, results, firstBlock, endBlock, idBase, termRange,
                rowTerms, shifts);
        }
        else
        {
            FlatScan.SearchBlocksPerBlock(this, scales, offsets, deleted, results, firstBlock, endBlock, idBase, shifts);
        }
    }

    /// <summary>This level has a batched kernel, this shape fits one 16-bit pass, and every scorer of the batch is a
    /// fast-scan scorer over this one's codes at this level (so with tables of the same shape: the constructor ties a
    /// scorer's tables to its codes' dimension and bits).</summary>
    bool IBlockScorer.CanSearchBatchWith(ReadOnlySpan<IBlockScorer> batch)
    {
        if (FastScanKernel.BatchQueriesAt(_level) == 0 || !FastScanKernel.HasSums16(_level, _lut.GroupCount))
        {
            return false;
        }
        foreach (IBlockScorer scorer in batch)
        {
            if (scorer is not FastScanScorer fast || fast._codes != _codes || fast._level != _level)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The batch as fast-scan scorers (checked by <see cref="IBlockScorer.CanSearchBatchWith"/>), on the stack,
    /// into <see cref="FlatScan"/>'s batched pruned scan.</summary>
    void IBlockScorer.SearchBatch(ReadOnlySpan<IBlockScorer> batch, ReadOnlySpan<float> scales, ReadOnlySpan<float> offsets,
        ReadOnlySpan<ulong> deleted, ReadOnlySpan<TopK> results, ScoreTermRange termRange, RowTerms rowTerms, int idBase,
        BatchBlockShifts shifts)
    {
        if (batch.Length > FastScanKernel.BatchQueries)
        {
            throw new ArgumentException($"a batched pass takes at most {FastScanKernel.BatchQueries} queries, not {batch.Length}.", nameof(batch));
        }
        var typed = new FastScanScorerBatch();
        for (int q = 0; q < batch.Length; q++)
        {
            typed[q] = batch[q] as FastScanScorer
                ?? throw new ArgumentException($"query {q} of the batch is not a fast-scan scorer.", nameof(batch));
        }
        FlatScan.SearchFastScanBatch(((ReadOnlySpan<FastScanScorer>)typed)[..batch.Length], scales, offsets, deleted, results,
            termRange, rowTerms, idBase, shifts);
    }

    [SkipLocalsInit]
    public void ScoreBlock(int block, Span<float> raw)
    {
        if (raw.Length < FastScanCodes.BlockSize)
        {
            throw new ArgumentException($"raw needs room for {FastScanCodes.BlockSize} scores, has {raw.Length}.", nameof(raw));
        }
        Span<uint> sums = stackalloc uint[FastScanCodes.BlockSize];
        FastScanKernel.ScanBlock(_level, _codes, block, _lut, sums);
        Dequantize(sums, raw, _lut.Scale, _lut.Bias, _level);
    }

    /// <inheritdoc/>
    [SkipLocalsInit]
    public uint ScoreBlock(int block, ReadOnlySpan<float> factors, ReadOnlySpan<float> offsets, float threshold, Span<float> scores)
    {
        if (factors.Length == FastScanCodes.BlockSize)
        {
            if ((uint)block >= (uint)_codes.BlockCount)
            {
                throw new ArgumentOutOfRangeException(nameof(block), block, $"the store has {_codes.BlockCount} blocks.");
            }
            return FastScanKernel.ScoreFullBlock(_level, _codes.Block(block), _lut.Tables, _lut.Scale, _lut.Bias,
                factors, offsets, threshold, scores);
        }
        Span<float> raw = stackalloc float[FastScanCodes.BlockSize];
        ScoreBlock(block, raw);
        return BlockScoring.ScoreRaw(raw, factors, offsets, threshold, scores, _level);
    }

    /// <summary>raw[v] = fma(scale, sums[v], bias) for 32 vectors; identical at every level.</summary>
    internal static void Dequantize(ReadOnlySpan<uint> sums, Span<float> raw, float scale, float bias, SimdLevel level)
    {
        ref uint source = ref MemoryMarshal.GetReference(sums);
        ref float target = ref MemoryMarshal.GetReference(raw);
        if (level >= SimdLevel.Vector256 && Vector256.IsHardwareAccelerated)
        {
            Vector256<float> scales = Vector256.Create(scale), biases = Vector256.Create(bias);
            for (nuint i = 0; i < FastScanCodes.BlockSize; i += 8)
            {
                Vector256<float> values = Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref source, i));
                Vector256.FusedMultiplyAdd(scales, values, biases).StoreUnsafe(ref target, i);
            }
            return;
        }
        if (level >= SimdLevel.Vector128 && Vector128.IsHardwareAccelerated)
        {
            Vector128<float> scales = Vector128.Create(scale), biases = Vector128.Create(bias);
            for (nuint i = 0; i < FastScanCodes.BlockSize; i += 4)
            {
                Vector128<float> values = Vector128.ConvertToSingle(Vector128.LoadUnsafe(ref source, i));
                Vector128.FusedMultiplyAdd(scales, values, biases).StoreUnsafe(ref target, i);
            }
            return;
        }
        for (int v = 0; v < FastScanCodes.BlockSize; v++)
        {
            raw[v] = MathF.FusedMultiplyAdd(scale, sums[v], bias);
        }
    }
}

/// <summary>The scorers of one batched pass, on the stack.</summary>
[InlineArray(FastScanKernel.BatchQueries)]
internal struct FastScanScorerBatch
{
    private FastScanScorer _element;
}

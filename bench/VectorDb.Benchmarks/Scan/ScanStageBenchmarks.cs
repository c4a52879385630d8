using BenchmarkDotNet.Attributes;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;
using VectorDb.Index.Estimation;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;

namespace VectorDb.Benchmarks.Scan;

/// <summary>
/// One flat 4-bit query on the GloVe shape (200,000 × d = 100, 50 B per vector), stage by stage, and the two flat
/// drivers side by side in the same run: <c>PerBlock*</c> is the generic driver (one <see cref="IBlockScorer"/> call
/// per block, float scores for every row: the path before the pruned driver existed), <c>Pruned*</c> the fast-scan
/// driver that compares 16-bit block sums with an integer threshold first. Both give the same result (tested in
/// tests/VectorDb.Index.Tests/Scan/PrunedFlatScanTests.cs). Stages: rotate the query (eden-unbiased, 2 Hadamard
/// rounds), build the 8-bit tables, the kernel alone (32-bit sums per block, and the 16-bit variant the pruned
/// driver uses), fused float scoring of every block, the whole scan into top 10 and top 100, the sorted copy.
/// Seeded random codes, factors in [0.9, 1.1] and a Gaussian query; runs at <see cref="SimdCapabilities.Best"/>.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ScanStageBenchmarks
{
    private const int Dimension = 100;
    private const int Bits = 4;
    private readonly TopK _top10 = new(10);
    private readonly TopK _top100 = new(100);
    private readonly uint[] _sums = new uint[FastScanCodes.BlockSize];
    private readonly float[] _scores = new float[FastScanCodes.BlockSize];
    private readonly ScoredSlot[] _sorted = new ScoredSlot[100];
    private FastScanCodes _store = null!;
    private FastScanLut _lut = null!;
    private FastScanScorer _scorer = null!;
    private InnerProductEstimator _estimator = null!;
    private float[] _scales = null!;
    private float[] _query = null!;
    private float[] _centroids = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_store, _lut, _scorer, _scales, _query, _centroids) = BenchData.FastScan(Dimension, Bits, SimdCapabilities.Best);
        _estimator = VectorQuantizer.Create(new QuantizerOptions(Dimension, Bits, 42)).CreateEstimator();
        FlatScan.Search(_scorer, _scales, default, default, _top100); // so that CopySorted100 has pairs to sort
    }

    /// <summary>Stage 1: rotate (and prepare) the query.</summary>
    [Benchmark]
    public float RotateQuery()
    {
        _estimator.Prepare(_query);
        return _estimator.RotatedQuery[0];
    }

    /// <summary>Stage 2, before: per-group float tables quantized to 8 bits, one entry at a time.</summary>
    [Benchmark]
    public float BuildTablesScalar()
    {
        _lut.BuildScalar(_query, _centroids);
        return _lut.Scale;
    }

    /// <summary>Stage 2, after: the same tables four entries per operation (what Build runs).</summary>
    [Benchmark]
    public float BuildTables()
    {
        _lut.Build(_query, _centroids);
        return _lut.Scale;
    }

    /// <summary>Part of the pruned scan: min/max of the 200,000 factors for the integer threshold (once per query).</summary>
    [Benchmark]
    public bool FactorBounds() => SumThreshold.Create(_lut.Scale, _lut.Bias, _scales, default).Enabled;

    /// <summary>Stage 3a: the kernel alone, 32-bit sums stored per block (the public per-block kernel).</summary>
    [Benchmark]
    public uint Kernel32()
    {
        uint checksum = 0;
        for (int block = 0; block < _store.BlockCount; block++)
        {
            FastScanKernel.ScanBlock(SimdCapabilities.Best, _store, block, _lut, _sums);
            checksum += _sums[0];
        }
        return checksum;
    }

    /// <summary>Stage 3a': the 16-bit kernel of the pruned driver alone (512-bit level; 0 elsewhere).</summary>
    [Benchmark]
    public uint Kernel16()
    {
        if (SimdCapabilities.Best != SimdLevel.Vector512)
        {
            return 0;
        }
        uint checksum = 0;
        ReadOnlySpan<byte> codes = _store.Blocks(0, _store.BlockCount);
        ref byte tables = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(_lut.Tables);
        for (int block = 0; block < _store.BlockCount; block++)
        {
            checksum += FastScanKernel.Sums16x512(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(
                codes.Slice(block * _store.BlockBytes)), ref tables, _lut.GroupCount).GetElement(0);
        }
        return checksum;
    }

    /// <summary>Stage 3b: every block scored to final floats with a threshold no row reaches (no top-k work).</summary>
    [Benchmark]
    public uint FusedScoringEveryBlock()
    {
        uint any = 0;
        for (int block = 0; block < _store.BlockCount; block++)
        {
            any |= _scorer.ScoreBlock(block, _scales.AsSpan(block * 32, 32), default, float.PositiveInfinity, _scores);
        }
        return any;
    }

    /// <summary>Before: generic per-block driver into the top 10 (the harness's --rerank none, k = 10).</summary>
    [Benchmark(Baseline = true)]
    public int PerBlockTop10()
    {
        _top10.Clear();
        FlatScan.SearchBlocksPerBlock(_scorer, _scales, default, default, _top10, 0, _scorer.BlockCount);
        return _top10.Count;
    }

    /// <summary>After: pruned fast-scan driver into the top 10.</summary>
    [Benchmark]
    public int PrunedTop10()
    {
        _top10.Clear();
        FlatScan.Search(_scorer, _scales, default, default, _top10);
        return _top10.Count;
    }

    /// <summary>Before, top 100 (a re-rank pool).</summary>
    [Benchmark]
    public int PerBlockTop100()
    {
        _top100.Clear();
        FlatScan.SearchBlocksPerBlock(_scorer, _scales, default, default, _top100, 0, _scorer.BlockCount);
        return _top100.Count;
    }

    /// <summary>After, top 100.</summary>
    [Benchmark]
    public int PrunedTop100()
    {
        _top100.Clear();
        FlatScan.Search(_scorer, _scales, default, default, _top100);
        return _top100.Count;
    }

    /// <summary>Last stage: the kept candidates sorted best first (the top 100 of the previous query).</summary>
    [Benchmark]
    public int CopySorted100() => _top100.CopySortedTo(_sorted);
}

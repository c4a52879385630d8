using BenchmarkDotNet.Attributes;
using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;

namespace VectorDb.Benchmarks.Scan;

/// <summary>
/// Flat scan of 200,000 fast-scan-coded vectors per query, per kernel level. Correctness of every kernel is tested in
/// tests/VectorDb.Index.Tests/Scan and Search; this measures speed and allocations only (0 B per query expected).
/// Codes and query are seeded random (scan speed does not depend on code values; the top-k insert rate does a little).
/// Vectors/s = 200,000 / mean; QPS = 1 / mean.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class FastScanBenchmarks
{
    private FastScanCodes _store = null!;
    private FastScanLut _lut = null!;
    private FastScanScorer _scorer = null!;
    private float[] _scales = null!;
    private float[] _query = null!;
    private float[] _centroids = null!;
    private readonly TopK _results = new(100);
    private readonly uint[] _sums = new uint[FastScanCodes.BlockSize];

    public static IEnumerable<SimdLevel> Levels => SimdCapabilities.Available;

    [ParamsSource(nameof(Levels))]
    public SimdLevel Level { get; set; }

    [Params(100, 784)]
    public int Dimension { get; set; }

    [Params(1, 2, 4)]
    public int Bits { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_store, _lut, _scorer, _scales, _query, _centroids) = BenchData.FastScan(Dimension, Bits, Level);
    }

    /// <summary>One query end to end: build the tables, scan all blocks, keep the top 100 candidates.</summary>
    [Benchmark]
    public int FlatSearchTop100()
    {
        _lut.Build(_query, _centroids);
        _results.Clear();
        FlatScan.Search(_scorer, _scales, default, default, _results);
        return _results.Count;
    }

    /// <summary>The kernel alone over all blocks (integer sums, no dequantization or top-k).</summary>
    [Benchmark]
    public uint KernelOnly()
    {
        uint checksum = 0;
        for (int block = 0; block < _store.BlockCount; block++)
        {
            FastScanKernel.ScanBlock(Level, _store, block, _lut, _sums);
            checksum += _sums[0];
        }
        return checksum;
    }
}

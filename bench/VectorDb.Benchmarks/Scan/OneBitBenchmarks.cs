using BenchmarkDotNet.Attributes;
using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;

namespace VectorDb.Benchmarks.Scan;

/// <summary>
/// 1-bit codes, flat scan of 200,000 vectors at the best level: nibble tables (fast scan, 4 coordinates per nibble)
/// vs bit planes with 64-bit POPCNT against a 4-bit query. Correctness: tests/VectorDb.Index.Tests/Scan.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class OneBitBenchmarks
{
    private readonly TopK _results = new(100);
    private float[] _scales = null!;
    private float[] _query = null!;
    private float[] _centroids = null!;
    private FastScanLut _lut = null!;
    private BitPlaneQuery _planes = null!;
    private IBlockScorer _scorer = null!;

    [Params(100, 784)]
    public int Dimension { get; set; }

    [Params("NibbleTables", "Popcount")]
    public string Path { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _scales = BenchData.Scales();
        _query = BenchData.Query(Dimension);
        _centroids = BenchData.Codebook(1, Dimension);
        if (Path == "NibbleTables")
        {
            FastScanFixture fixture = BenchData.FastScan(Dimension, 1, SimdCapabilities.Best);
            (_lut, _scorer) = (fixture.Lut, fixture.Scorer);
        }
        else
        {
            var store = new OneBitCodes(Dimension, BenchData.Count);
            BenchData.AddRandomRows(Dimension, 1, row => store.Add(row));
            _planes = new BitPlaneQuery(Dimension);
            _planes.Build(_query, _centroids);
            _scorer = new PopcountScorer(store, _planes);
        }
    }

    [Benchmark]
    public int FlatSearchTop100()
    {
        if (Path == "NibbleTables")
        {
            _lut.Build(_query, _centroids);
        }
        else
        {
            _planes.Build(_query, _centroids);
        }
        _results.Clear();
        FlatScan.Search(_scorer, _scales, default, default, _results);
        return _results.Count;
    }
}

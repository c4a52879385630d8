using BenchmarkDotNet.Attributes;
using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;

namespace VectorDb.Benchmarks.Scan;

/// <summary>
/// Flat scan of 200,000 vectors with 5- or 8-bit codes: float-LUT gather path vs int8-grid VNNI dot products, per
/// level. Correctness: tests/VectorDb.Index.Tests/Scan/{GatherKernelTests,Int8DotKernelTests}.cs.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class WideCodeBenchmarks
{
    private readonly TopK _results = new(100);
    private float[] _scales = null!;
    private float[] _query = null!;
    private float[] _centroids = null!;
    private FloatLut _floatLut = null!;
    private Int8Query _int8Query = null!;
    private IBlockScorer _scorer = null!;

    public static IEnumerable<SimdLevel> Levels => SimdCapabilities.Available;

    [ParamsSource(nameof(Levels))]
    public SimdLevel Level { get; set; }

    [Params(100, 784)]
    public int Dimension { get; set; }

    [Params(5, 8)]
    public int Bits { get; set; }

    [Params("Gather", "Int8Grid")]
    public string Path { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _scales = BenchData.Scales();
        _query = BenchData.Query(Dimension);
        _centroids = BenchData.Codebook(Bits, Dimension);
        if (Path == "Gather")
        {
            var store = new ByteCodes(Dimension, Bits, BenchData.Count);
            BenchData.AddRandomRows(Dimension, Bits, row => store.Add(row));
            _floatLut = new FloatLut(store);
            _floatLut.Build(_query, _centroids);
            _scorer = new ByteCodeScorer(store, _floatLut, Level);
        }
        else
        {
            var store = new Int8GridCodes(Dimension, new Int8Grid(_centroids), BenchData.Count);
            BenchData.AddRandomRows(Dimension, Bits, row => store.Add(row));
            _int8Query = new Int8Query(Dimension);
            _int8Query.Build(_query);
            _scorer = new Int8DotScorer(store, _int8Query, Level);
        }
    }

    /// <summary>One query end to end: build the query tables, scan all blocks, keep the top 100.</summary>
    [Benchmark]
    public int FlatSearchTop100()
    {
        if (Path == "Gather")
        {
            _floatLut.Build(_query, _centroids);
        }
        else
        {
            _int8Query.Build(_query);
        }
        _results.Clear();
        FlatScan.Search(_scorer, _scales, default, default, _results);
        return _results.Count;
    }
}

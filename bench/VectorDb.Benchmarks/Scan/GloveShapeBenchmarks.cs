using BenchmarkDotNet.Attributes;
using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;

namespace VectorDb.Benchmarks.Scan;

/// <summary>
/// The headline case, compared with FAISS PQ100x4fs (flat fast scan, glove 200k × 100, 4 bits per coordinate,
/// 50 B per vector, ~227 µs per query single-threaded): 200,000 vectors, d = 100, b = 4, top 100 candidates, one
/// case per level so it runs in about a minute. The full matrix is <see cref="FastScanBenchmarks"/>.
/// Correctness: tests/VectorDb.Index.Tests/Scan and Search.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class GloveShapeBenchmarks
{
    private const int Dimension = 100;
    private const int Bits = 4;
    private readonly TopK _results = new(100);
    private FastScanLut _lut = null!;
    private FastScanScorer _scorer = null!;
    private float[] _scales = null!;
    private float[] _query = null!;
    private float[] _centroids = null!;

    public static IEnumerable<SimdLevel> Levels => SimdCapabilities.Available;

    [ParamsSource(nameof(Levels))]
    public SimdLevel Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_, _lut, _scorer, _scales, _query, _centroids) = BenchData.FastScan(Dimension, Bits, Level);
    }

    /// <summary>One query: build the tables, scan 200,000 vectors, keep the top 100. QPS = 1/mean.</summary>
    [Benchmark]
    public int FlatSearchTop100()
    {
        _lut.Build(_query, _centroids);
        _results.Clear();
        FlatScan.Search(_scorer, _scales, default, default, _results);
        return _results.Count;
    }
}

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Benchmarks.Rerank;

/// <summary>
/// CPU exact re-ranking: one query against 1,000 random candidates of a 200,000-vector collection (rows scattered in
/// memory, as after a compressed scan), top 10, per SIMD level, precision and dimension. Correctness is tested in
/// tests/VectorDb.Index.Tests/Rerank; this measures time and asserts nothing. Allocations must read 0 B.
/// Run: dotnet run -c Release --project bench/VectorDb.Benchmarks -- --filter '*ExactScorer*'
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 7)]
public class ExactScorerBenchmarks
{
    private const int Vectors = 200_000;
    private const int Candidates = 1_000;

    private ExactScorer _scorer = null!;
    private float[] _query = [];
    private int[] _slots = [];
    private readonly ScoredSlot[] _best = new ScoredSlot[10];

    public static IEnumerable<SimdLevel> Levels => SimdCapabilities.Available;

    [ParamsSource(nameof(Levels))]
    public SimdLevel Level { get; set; }

    [Params(OriginalsFormat.Float32, OriginalsFormat.Float16)]
    public OriginalsFormat Precision { get; set; }

    [Params(100, 768)]
    public int Dimension { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new SplitMix64(12345);
        var store = new OriginalVectorStore(Dimension, Precision);
        var row = new float[Dimension];
        for (int slot = 0; slot < Vectors; slot++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                row[j] = (float)(random.NextDouble() * 2 - 1);
            }
            store.Upsert(slot, row);
        }
        _query = [.. Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        _slots = [.. Enumerable.Range(0, Candidates).Select(_ => random.NextInt(Vectors))];
        _scorer = new ExactScorer(store, Metric.InnerProduct, Level);
    }

    /// <summary>Candidates scored per call: 1,000 (divide the time by it for ns per candidate).</summary>
    [Benchmark]
    public int Rerank1000() => _scorer.Rerank(_query, _slots, _best);
}

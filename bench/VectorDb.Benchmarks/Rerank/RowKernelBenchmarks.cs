using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Benchmarks.Rerank;

/// <summary>
/// The row kernels alone (no store, no top-k): one query against 1,000 rows at random offsets in a 4,096-row buffer,
/// dot product and squared distance, per SIMD level, precision and dimension (the generic kernel over width-specific
/// ops; the A/B against the former per-width copies, at commit 469f1ef, is in bench/results/rerank-2026-11-22.md).
/// Run: dotnet run -c Release --project bench/VectorDb.Benchmarks -- --filter '*RowKernel*'
/// </summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 7)]
public class RowKernelBenchmarks
{
    private const int Rows = 4_096;
    private const int Candidates = 1_000;

    private float[] _query = [];
    private float[] _rows32 = [];
    private Half[] _rows16 = [];
    private int[] _offsets = [];

    public static IEnumerable<SimdLevel> Levels => SimdCapabilities.Available.Where(level => level != SimdLevel.Scalar);

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
        _query = [.. Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        _rows32 = [.. Enumerable.Range(0, Rows * Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        _rows16 = [.. _rows32.Select(v => (Half)v)];
        _offsets = [.. Enumerable.Range(0, Candidates).Select(_ => random.NextInt(Rows) * Dimension)];
    }

    /// <summary>Sum of Σq·x and Σ(q−x)² over 1,000 rows (2,000 kernel calls).</summary>
    [Benchmark]
    public float DotAndDistance1000() => Level switch
    {
        SimdLevel.Vector512 => Run<SimdRowKernel<Vector512Ops, Vector512<float>>>(),
        SimdLevel.Vector256 => Run<SimdRowKernel<Vector256Ops, Vector256<float>>>(),
        _ => Run<SimdRowKernel<Vector128Ops, Vector128<float>>>(),
    };

    private float Run<TKernel>() where TKernel : struct, IRowKernel
    {
        ref float query = ref _query[0];
        float total = 0;
        int length = Dimension;
        if (Precision == OriginalsFormat.Float32)
        {
            foreach (int offset in _offsets)
            {
                total += TKernel.Dot(ref query, ref _rows32[offset], length) + TKernel.SquaredDistance(ref query, ref _rows32[offset], length);
            }
        }
        else
        {
            foreach (int offset in _offsets)
            {
                total += TKernel.Dot(ref query, ref _rows16[offset], length) + TKernel.SquaredDistance(ref query, ref _rows16[offset], length);
            }
        }
        return total;
    }
}

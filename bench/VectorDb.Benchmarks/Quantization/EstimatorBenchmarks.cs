using BenchmarkDotNet.Attributes;
using VectorDb.Index.Common;
using VectorDb.Index.Estimation;
using VectorDb.Index.Quantization;

namespace VectorDb.Benchmarks.Quantization;

/// <summary>
/// Per-record cost of the reference estimator (one nibble-LUT lookup per 4 bits of code for b ∈ {1,2,4}, a centroid
/// lookup per coordinate otherwise), scoring <see cref="Records"/> stored records against one prepared query;
/// reported time is per record. Prepare = rotate the query and build the tables (per query).
/// Correctness vs a decode-then-dot oracle: tests/VectorDb.Index.Tests/Estimation.
/// Run: dotnet run -c Release --project bench/VectorDb.Benchmarks -- --filter '*EstimatorBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class EstimatorBenchmarks
{
    private const int Records = 1024;

    private InnerProductEstimator _estimator = null!;
    private float[] _query = null!;
    private byte[] _records = null!;
    private float[] _scores = null!;

    [Params(768)]
    public int Dimension { get; set; }

    [Params(1, 2, 4, 8)]
    public int Bits { get; set; }

    [Params("eden-unbiased", "tq-prod")]
    public string Scheme { get; set; } = "eden-unbiased";

    [GlobalSetup]
    public void Setup()
    {
        var quantizer = VectorQuantizer.Create(new QuantizerOptions(Dimension, Bits, 0x5EED, QuantizerSchemes.Parse(Scheme)));
        var rng = new SplitMix64(2);
        var vector = new float[Dimension];
        int size = quantizer.Layout.RecordSize;
        _records = new byte[Records * size];
        for (int i = 0; i < Records; i++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                vector[j] = (float)rng.NextGaussian();
            }
            quantizer.Encode(vector, _records.AsSpan(i * size, size));
        }
        _query = vector.ToArray();
        _scores = new float[Records];
        _estimator = quantizer.CreateEstimator();
        _estimator.Prepare(_query);
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public void InnerProductPerRecord() => _estimator.InnerProducts(_records, _scores);

    [Benchmark]
    public void Prepare() => _estimator.Prepare(_query);
}

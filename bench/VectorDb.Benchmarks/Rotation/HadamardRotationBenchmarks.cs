using BenchmarkDotNet.Attributes;
using VectorDb.Index.Common;
using VectorDb.Index.Rotation;

namespace VectorDb.Benchmarks.Rotation;

/// <summary>
/// Cost of rotating one vector, per SIMD level and dimension, in place. Correctness (bit-identity across levels,
/// agreement with the dense oracle) is tested in tests/VectorDb.Index.Tests/Rotation; this only times.
/// OneRound = one sign flip + one orthonormal block transform (two overlapping windows for non-fast d);
/// Forward/Inverse = the default 2-round rotation. Expect 0 B allocated.
/// Run: dotnet run -c Release --project bench/VectorDb.Benchmarks -- --filter '*HadamardRotation*' --job short
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class HadamardRotationBenchmarks
{
    private HadamardRotation _rotation = null!;
    private float[] _vector = null!;

    [Params(128, 768, 1000, 1024, 1536, 3072)]
    public int Dimension { get; set; }

    [ParamsSource(nameof(Levels))]
    public SimdLevel Level { get; set; }

    public static IEnumerable<SimdLevel> Levels => SimdCapabilities.Available;

    [GlobalSetup]
    public void Setup()
    {
        _rotation = new HadamardRotation(Dimension, 0x5EED, HadamardRotation.DefaultRounds, Level);
        var generator = new SplitMix64(1);
        _vector = new float[Dimension];
        for (int i = 0; i < _vector.Length; i++)
        {
            _vector[i] = (float)generator.NextGaussian();
        }
    }

    [Benchmark]
    public void OneRound() => _rotation.ForwardRound(_vector, _vector, 0);

    [Benchmark]
    public void Forward() => _rotation.Forward(_vector, _vector);

    [Benchmark]
    public void Inverse() => _rotation.Inverse(_vector, _vector);
}

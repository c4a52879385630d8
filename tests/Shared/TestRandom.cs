namespace VectorDb.Tests.Support;

/// <summary>
/// Seeded test data generator: SplitMix64 (Steele, Lea, Flood 2014) with Box-Muller Gaussians, the same sequence as
/// the codec's VectorDb.Index.Common.SplitMix64 for the same seed (so test data did not change when the tests above
/// the engine stopped referencing the Index assembly), restated here because those tests may reference the engine
/// only (docs/architecture.md, "Layers").
/// </summary>
public struct TestRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, exclusiveMax) by Lemire's multiply-shift.</summary>
    public int NextInt(int exclusiveMax) => (int)(((NextUInt64() >> 32) * (ulong)exclusiveMax) >> 32);

    /// <summary>Standard normal by Box-Muller (one call, one draw).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

namespace VectorDb.Index.Common;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fully specified 64-bit generator. Anything that defines stored data
/// (rotation signs, k-means seeding) draws from this, never from System.Random, whose algorithm is an
/// implementation detail of the runtime. WARNING: changing this algorithm changes every stored rotation.
/// </summary>
public struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, exclusiveMax) by Lemire's multiply-shift (bias below 2^-32 for maxima under 2^32).</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        return (int)(((NextUInt64() >> 32) * (ulong)exclusiveMax) >> 32);
    }

    /// <summary>Standard normal by Box-Muller (both outputs are not cached: one call, one draw).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

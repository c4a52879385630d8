using VectorDb.Index.Common;

namespace VectorDb.Index.Rotation;

/// <summary>
/// The random sign diagonals D_0 … D_(R-1) of a <see cref="HadamardRotation"/>, as IEEE sign-bit masks.
/// <para>
/// WARNING: baked into every stored record. Derivation (do not change): one <see cref="SplitMix64"/> seeded with the
/// rotation seed; for round r = 0, 1, …, R-1 in order, for word w = 0 … ⌈d/64⌉-1 in order, draw u = NextUInt64();
/// coordinate i = 64·w + b (b = 0 … 63, least significant bit first, only i &lt; d) of round r is negated iff bit b
/// of u is 1. Bits of the last word past d are discarded. Round r's signs therefore do not depend on R, so a rotation
/// with more rounds extends one with fewer.
/// </para>
/// </summary>
internal static class RotationSigns
{
    /// <summary>The float sign bit: XOR with it negates a float exactly (also ±0), like multiplying by -1.</summary>
    public const uint SignBit = 0x8000_0000u;

    /// <summary>Returns <paramref name="rounds"/>·<paramref name="dimension"/> masks, round-major: entry
    /// r·d + i is <see cref="SignBit"/> when round r negates coordinate i, else 0.</summary>
    public static uint[] Generate(int dimension, ulong seed, int rounds)
    {
        var masks = new uint[checked(rounds * dimension)];
        var generator = new SplitMix64(seed);
        int wordsPerRound = (dimension + 63) / 64;
        for (int round = 0; round < rounds; round++)
        {
            int roundStart = round * dimension;
            for (int word = 0; word < wordsPerRound; word++)
            {
                ulong bits = generator.NextUInt64();
                int first = word * 64;
                int count = Math.Min(64, dimension - first);
                for (int bit = 0; bit < count; bit++)
                {
                    masks[roundStart + first + bit] = ((bits >> bit) & 1UL) != 0 ? SignBit : 0u;
                }
            }
        }
        return masks;
    }
}

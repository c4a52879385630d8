using VectorDb.Index.Common;

namespace VectorDb.Index.Rotation;

/// <summary>
/// The random sign diagonals of a <see cref="HadamardRotation"/>, one per stage (a stage is one sign flip followed by
/// one block transform over a window of t coordinates), as IEEE sign-bit masks.
/// <para>
/// WARNING: baked into every stored record. Derivation (do not change): one <see cref="SplitMix64"/> seeded with the
/// rotation seed; for stage s = 0, 1, …, S-1 in order, for word w = 0 … ⌈t/64⌉-1 in order, draw u = NextUInt64();
/// window coordinate i = 64·w + b (b = 0 … 63, least significant bit first, only i &lt; t) of stage s is negated iff
/// bit b of u is 1. Bits of the last word past t are discarded. Single-block rotations (t = d) have S = R stages, one
/// per round; overlapping-window rotations have S = 2R: round r is stage 2r (window [0, t)) then stage 2r+1 (window
/// [d - t, d)). Stage s's signs do not depend on S, so a rotation with more rounds extends one with fewer.
/// </para>
/// </summary>
internal static class RotationSigns
{
    /// <summary>The float sign bit: XOR with it negates a float exactly (also ±0), like multiplying by -1.</summary>
    public const uint SignBit = 0x8000_0000u;

    /// <summary>Returns <paramref name="stages"/>·<paramref name="windowLength"/> masks, stage-major: entry
    /// s·t + i is <see cref="SignBit"/> when stage s negates window coordinate i, else 0.</summary>
    public static uint[] Generate(int windowLength, int stages, ulong seed)
    {
        var masks = new uint[checked(stages * windowLength)];
        var generator = new SplitMix64(seed);
        int wordsPerStage = (windowLength + 63) / 64;
        for (int stage = 0; stage < stages; stage++)
        {
            int stageStart = stage * windowLength;
            for (int word = 0; word < wordsPerStage; word++)
            {
                ulong bits = generator.NextUInt64();
                int first = word * 64;
                int count = Math.Min(64, windowLength - first);
                for (int bit = 0; bit < count; bit++)
                {
                    masks[stageStart + first + bit] = ((bits >> bit) & 1UL) != 0 ? SignBit : 0u;
                }
            }
        }
        return masks;
    }
}

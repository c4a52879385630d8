using VectorDb.Index.Common;
using VectorDb.Index.Rotation;

namespace VectorDb.Index.Tests.Rotation;

/// <summary>
/// Pins the exact output bits for a fixed input and seed (WARNING: baked into every stored record). If this fails,
/// a change altered the rotation itself (signs, construction, Paley matrix, operation order): every stored vector
/// would decode wrongly. Do not update the constants unless a new, versioned rotation is introduced.
/// The input uses no random generator: x_i = ((37·i) mod 19 - 9)/4.
/// </summary>
public class HadamardRotationGoldenTests
{
    public static TheoryData<int, string, ulong> Golden => new()
    {
        { 16, "pow2", 0xE4FF147F14F04504UL },
        { 100, "overlap-kron12", 0xFB093DEE2FA43144UL },
        { 768, "kron12", 0xB1A032F5B02AE2ABUL },
        { 1024, "pow2", 0x380095B7B3ADF19BUL },
        { 1000, "overlap-kron12", 0x67546628B54D826DUL },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Forward_FixedInputAndSeed_GivesPinnedBitsAtEveryLevel(int dimension, string construction, ulong expectedHash)
    {
        float[] x = new float[dimension];
        for (int i = 0; i < dimension; i++)
        {
            x[i] = ((37 * i % 19) - 9) / 4f;
        }
        foreach (SimdLevel level in SimdCapabilities.Available)
        {
            var rotation = new HadamardRotation(dimension, 20261122, level: level);
            Assert.Equal(construction, rotation.Construction);
            float[] y = new float[dimension];
            rotation.Forward(x, y);
            ulong hash = Fnv1a(y);
            Assert.True(expectedHash == hash,
                $"d={dimension} {level}: output hash 0x{hash:X16}UL, pinned 0x{expectedHash:X16}UL; y[0..3] bits "
                + string.Join(", ", y.Take(4).Select(v => $"0x{BitConverter.SingleToInt32Bits(v):X8}")));
        }
    }

    /// <summary>FNV-1a 64 over the little-endian IEEE bits of every coordinate.</summary>
    private static ulong Fnv1a(float[] values)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (float v in values)
        {
            uint bits = BitConverter.SingleToUInt32Bits(v);
            for (int b = 0; b < 4; b++)
            {
                hash ^= (bits >> (8 * b)) & 0xFF;
                hash *= 0x100000001B3UL;
            }
        }
        return hash;
    }
}

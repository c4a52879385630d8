using System.Runtime.Intrinsics;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Tests.Rerank;

/// <summary>The integer-SIMD float16 widening must equal the runtime's (float)Half for every finite half, bit for bit.</summary>
public class HalfWideningTests
{
    private static uint[] FiniteHalfBits() =>
        Enumerable.Range(0, 1 << 16).Where(bits => Half.IsFinite(BitConverter.UInt16BitsToHalf((ushort)bits)))
            .Select(bits => (uint)bits).ToArray();

    private static void AssertSame(uint halfBits, float widened) =>
        Assert.True(BitConverter.SingleToUInt32Bits((float)BitConverter.UInt16BitsToHalf((ushort)halfBits)) == BitConverter.SingleToUInt32Bits(widened),
            $"half 0x{halfBits:X4}: expected {(float)BitConverter.UInt16BitsToHalf((ushort)halfBits)}, widened to {widened}");

    [Fact]
    public void ToSingle_AllFiniteHalves_MatchesRuntimeConversion()
    {
        uint[] bits = FiniteHalfBits();
        Assert.Equal(63488, bits.Length);
        for (int i = 0; i + 16 <= bits.Length; i += 16)
        {
            Vector512<float> w512 = HalfWidening.ToSingle(Vector512.Create(bits.AsSpan(i, 16)));
            Vector256<float> w256 = HalfWidening.ToSingle(Vector256.Create(bits.AsSpan(i, 8)));
            Vector128<float> w128 = HalfWidening.ToSingle(Vector128.Create(bits.AsSpan(i, 4)));
            for (int lane = 0; lane < 16; lane++)
            {
                AssertSame(bits[i + lane], w512[lane]);
            }
            for (int lane = 0; lane < 8; lane++)
            {
                AssertSame(bits[i + lane], w256[lane]);
            }
            for (int lane = 0; lane < 4; lane++)
            {
                AssertSame(bits[i + lane], w128[lane]);
            }
        }
    }
}

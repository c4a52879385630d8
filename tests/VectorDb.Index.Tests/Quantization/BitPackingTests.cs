using VectorDb.Index.Common;
using VectorDb.Index.Quantization;

namespace VectorDb.Index.Tests.Quantization;

public class BitPackingTests
{
    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        for (int bits = 1; bits <= 8; bits++)
        {
            foreach (int count in new[] { 0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 768 })
            {
                data.Add(bits, count);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pack_MatchesBitByBitReferenceAndRoundTrips(int bits, int count)
    {
        var rng = new SplitMix64((ulong)(bits * 1000 + count));
        var codes = new byte[count];
        for (int j = 0; j < count; j++)
        {
            codes[j] = (byte)rng.NextInt(1 << bits);
        }
        // Reference: bit i of the stream is bit (i mod 8) of byte i/8, code j at bits [j·b, (j+1)·b).
        var expected = new byte[(count * bits + 7) / 8];
        for (int j = 0; j < count; j++)
        {
            for (int k = 0; k < bits; k++)
            {
                int bit = j * bits + k;
                expected[bit / 8] |= (byte)(((codes[j] >> k) & 1) << (bit % 8));
            }
        }
        var packed = Enumerable.Repeat((byte)0xAB, expected.Length).ToArray(); // garbage must be overwritten
        BitPacking.Pack(codes, bits, packed);
        Assert.Equal(expected, packed);
        var unpacked = new byte[count];
        BitPacking.Unpack(packed, bits, unpacked);
        Assert.Equal(codes, unpacked);
    }

    [Fact]
    public void Pack_RejectsShortDestination() =>
        Assert.Throws<ArgumentException>(() => BitPacking.Pack(new byte[9], 3, new byte[3]));
}

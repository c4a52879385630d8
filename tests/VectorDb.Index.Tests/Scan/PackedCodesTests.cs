using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

public class PackedCodesTests
{
    [Fact]
    public void Pack_ThreeBitCodes_AreLsbFirstAcrossBytes()
    {
        // 5 = bits 1,0,1 at stream bits 0..2; 3 = 1,1,0 at 3..5; 7 at 6..8 straddles into byte 1.
        var packed = new byte[2];
        PackedCodes.Pack(new byte[] { 5, 3, 7 }, 3, packed);
        Assert.Equal(new byte[] { 0b1101_1101, 0b0000_0001 }, packed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void PackThenUnpack_RoundTrips(int bits)
    {
        var rng = new SplitMix64((ulong)bits);
        byte[] codes = ScanOracle.RandomCodes(ref rng, 1, 101, bits)[0];
        var packed = new byte[PackedCodes.PackedLength(101, bits)];
        PackedCodes.Pack(codes, bits, packed);
        var unpacked = new byte[101];
        PackedCodes.Unpack(packed, bits, unpacked);
        Assert.Equal(codes, unpacked);
    }

    [Fact]
    public void Unpack_ShortInput_Throws() =>
        Assert.Contains("need 4", Assert.Throws<ArgumentException>(() => PackedCodes.Unpack(new byte[3], 3, new byte[10])).Message);
}

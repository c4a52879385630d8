using VectorDb.Index.Common;
using VectorDb.Index.Scan;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Scan;

public class FastScanCodesTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(33, 2)]
    [InlineData(100, 4)]
    [InlineData(31, 4)]
    public void Nibble_DecodesEveryAddedCode(int dimension, int bits)
    {
        var rng = new SplitMix64(7);
        byte[][] codes = ScanOracle.RandomCodes(ref rng, 70, dimension, bits);
        var store = new FastScanCodes(dimension, bits, initialCapacity: 1);
        foreach (byte[] row in codes)
        {
            store.Add(row);
        }
        Assert.Equal(70, store.Count);
        Assert.Equal(3, store.BlockCount);
        int perGroup = 4 / bits;
        for (int row = 0; row < codes.Length; row++)
        {
            for (int g = 0; g < store.GroupCount; g++)
            {
                int expected = 0;
                for (int i = 0; i < perGroup && g * perGroup + i < dimension; i++)
                {
                    expected |= codes[row][g * perGroup + i] << (i * bits);
                }
                Assert.Equal(expected, store.Nibble(row, g));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void AddPacked_EqualsAddOfUnpackedCodes(int bits)
    {
        var rng = new SplitMix64(11);
        const int dimension = 37;
        byte[][] codes = ScanOracle.RandomCodes(ref rng, 5, dimension, bits);
        var plain = new FastScanCodes(dimension, bits);
        var packed = new FastScanCodes(dimension, bits);
        foreach (byte[] row in codes)
        {
            plain.Add(row);
            var bytes = new byte[PackedCodes.PackedLength(dimension, bits)];
            PackedCodes.Pack(row, bits, bytes);
            packed.AddPacked(bytes);
        }
        Assert.True(plain.Block(0).SequenceEqual(packed.Block(0)));
    }

    [Fact]
    public void Add_BadInput_ThrowsAndStoresNothing()
    {
        var store = new FastScanCodes(4, 2);
        Assert.Contains("expected 4 codes", Assert.Throws<ArgumentException>(() => store.Add(new byte[3])).Message);
        Assert.Contains("does not fit in 2 bits", Assert.Throws<ArgumentException>(() => store.Add(new byte[] { 0, 1, 4, 0 })).Message);
        Assert.Equal(0, store.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FastScanCodes(4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FastScanCodes(0, 4));
    }

    [Fact]
    public void Geometry_PadsGroupsToMultipleOfFour()
    {
        var store = new FastScanCodes(33, 4);
        Assert.Equal(33, store.RealGroupCount);
        Assert.Equal(36, store.GroupCount);
        Assert.Equal(36 * 16, store.BlockBytes);
        var oneBit = new FastScanCodes(3, 1);
        Assert.Equal(1, oneBit.RealGroupCount);
        Assert.Equal(4, oneBit.GroupCount);
    }
}

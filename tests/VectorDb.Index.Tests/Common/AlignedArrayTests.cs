using VectorDb.Index.Common;

namespace VectorDb.Index.Tests.Common;

/// <summary>The aligned array starts on a 64-byte boundary at every length and after growing, and keeps its contents.</summary>
public class AlignedArrayTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void Start_IsOnACacheLine_BeforeAndAfterResize(int length)
    {
        var floats = new AlignedArray<float>(length);
        var bytes = new AlignedArray<byte>(length);
        Assert.Equal(0, AddressOf(floats.Span) % 64);
        Assert.Equal(0, AddressOf(bytes.Span) % 64);
        Assert.Equal(length, floats.Length);
        for (int i = 0; i < length; i++)
        {
            floats[i] = i;
            bytes[i] = (byte)i;
        }
        floats.Resize(2 * length + 5);
        bytes.Resize(2 * length + 5);
        Assert.Equal(0, AddressOf(floats.Span) % 64);
        Assert.Equal(0, AddressOf(bytes.Span) % 64);
        Assert.Equal(Enumerable.Range(0, length).Select(i => (float)i), floats.Span[..length].ToArray());
        Assert.Equal(Enumerable.Range(0, length).Select(i => (byte)i), bytes.Span[..length].ToArray());
        Assert.All(floats.Span[length..].ToArray(), value => Assert.Equal(0f, value));
    }

    private static unsafe long AddressOf<T>(Span<T> span) where T : unmanaged
    {
        // Pinned-heap storage never moves, so the address read here is the one the kernels see.
        fixed (T* start = span)
        {
            return span.IsEmpty ? 0 : (long)start;
        }
    }
}

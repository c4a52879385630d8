using System.Buffers;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

/// <summary>
/// Reads the originals of points by id from wherever they are kept durably (the storage layer's blob log), for
/// exact re-ranking when the index does not hold them in memory. Called with a batch of candidates at a time
/// (re-ranking scores in batches), from concurrent searches.
/// </summary>
public interface IOriginalReader
{
    /// <summary>Writes the original of <c>ids[i]</c> into <c>destination[i·w .. (i+1)·w)</c>, where w is
    /// dimension × 4 bytes for <see cref="OriginalsFormat.Float32"/> or × 2 for <see cref="OriginalsFormat.Float16"/>
    /// (little-endian IEEE values, exactly as the index would have stored them), and sets <c>found[i]</c>; an id
    /// that has no original (deleted meanwhile) gets found = false.</summary>
    void Read(ReadOnlySpan<ulong> ids, Span<byte> destination, Span<bool> found);
}

/// <summary>Reads through an <see cref="IOriginalReader"/> as floats.</summary>
internal static class OriginalReading
{
    /// <summary>
    /// Reads the originals of <paramref name="ids"/> stored at <paramref name="precision"/>, widened to float, one
    /// after another into <paramref name="destination"/> (<paramref name="dimension"/> floats each);
    /// <paramref name="found"/> says which ids had one (the others' floats are left as they were).
    /// </summary>
    public static void ReadFloats(this IOriginalReader reader, OriginalsFormat precision, int dimension,
        ReadOnlySpan<ulong> ids, Span<float> destination, Span<bool> found)
    {
        int width = OriginalVectorStore.BytesPerCoordinateOf(precision), stride = dimension * width;
        byte[] bytes = ArrayPool<byte>.Shared.Rent(ids.Length * stride);
        try
        {
            reader.Read(ids, bytes.AsSpan(0, ids.Length * stride), found);
            for (int i = 0; i < ids.Length; i++)
            {
                if (!found[i])
                {
                    continue;
                }
                OriginalEncoding.Widen(bytes.AsSpan(i * stride, stride), precision, destination.Slice(i * dimension, dimension));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}

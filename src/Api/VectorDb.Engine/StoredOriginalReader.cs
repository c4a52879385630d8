using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb.Engine;

/// <summary>Serves a collection's re-ranking from the originals in its storage (blob log): one batched,
/// synchronous <see cref="StoredCollection.ReadOriginals"/> per call. The stored bytes are the collection's original
/// format (float32 or float16, little-endian), which is what <see cref="IOriginalReader"/> expects.</summary>
internal sealed class StoredOriginalReader(StoredCollection store) : IOriginalReader
{
    public void Read(ReadOnlySpan<ulong> ids, Span<byte> destination, Span<bool> found) =>
        store.ReadOriginals(ids, destination, found);
}

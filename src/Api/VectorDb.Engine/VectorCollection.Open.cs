using VectorDb.Engine;
using VectorDb.Index.Rerank;
using VectorDb.Storage;

namespace VectorDb;

public sealed partial class VectorCollection
{
    /// <summary>
    /// Opens a stored collection and rebuilds its index and payload fields in two sequential passes over storage:
    /// the codes log (<see cref="StoredCollection.ForEachLiveAsync"/>: ids and codes) and then, when any live point
    /// has a blob, the blob log (<see cref="StoredCollection.ForEachLiveBlobAsync"/>: originals and payloads). No
    /// point is read on its own. Index rows are added in codes-log order, so they are the same on every open.
    /// </summary>
    /// <remarks>
    /// Without originals in memory (none kept, or re-ranking reads them from storage) a row is complete with its
    /// codes and goes into the index during the codes pass; the blob pass then only restores payload fields. With
    /// originals in memory the rows wait for the blob pass, which delivers in blob-log order; <see cref="CodesLogOrder"/>
    /// puts them back into codes-log order.
    /// </remarks>
    internal static async Task<VectorCollection> OpenAsync(StoredCollection store, DatabaseOptions options, CancellationToken cancellationToken)
    {
        var config = CollectionConfig.FromManifest(store.Name, store.Manifest);
        var collection = new VectorCollection(store.Name, config, store, options);
        try
        {
            await collection.RebuildAsync(cancellationToken).ConfigureAwait(false);
            // The lists it had before it was closed: an IVF collection's trained lists, else its residual code lists.
            if (config.Index == IndexLayout.Ivf && store.ReadIvfCentroids() is { } ivf)
            {
                collection._index.UseIvfCentroids(ivf.Lists, ivf.Centroids);
            }
            else if (collection._index.CodeListsDue(threshold: 2) && store.ReadCodeListCentroids() is { } codeLists)
            {
                collection._index.UseCodeListCentroids(codeLists.Lists, codeLists.Centroids);
            }
            collection.TrainIfDue();
            return collection;
        }
        catch
        {
            collection._index.Dispose();
            throw;
        }
    }

    /// <summary>Fills the empty index and <see cref="_points"/> from storage. No writer runs meanwhile.</summary>
    private async Task RebuildAsync(CancellationToken cancellationToken)
    {
        int live = checked((int)_store.Count);
        _index.Reserve(live);
        bool keepsOriginals = Config.Originals != OriginalsFormat.None;
        if (keepsOriginals && _index.OriginalBytesInMemoryAfter(live) > _options.OriginalsMemoryBytes)
        {
            MoveOriginalsToStorage();
        }
        bool originalsInMemory = keepsOriginals && !_index.OriginalsAreExternal;
        var pass = new LivePass(_index.Layout.RecordSize, keepCodes: originalsInMemory, live);
        await _store.ForEachLiveAsync((id, key, codes) =>
        {
            RestoreSlot(id, key);
            pass.Add(id, codes);
            _points[id] = PayloadFields.Empty; // in codes-log order; the blob pass replaces it where there is a payload
            if (!originalsInMemory)
            {
                _index.UpsertEncoded(id, codes, default);
            }
        }, cancellationToken).ConfigureAwait(false);

        // Stored originals were checked when they were written and storage verified their checksums: the index takes
        // their bytes as they are (StoredOriginal), copied into one buffer because the pass lends them as spans.
        byte[] stored = originalsInMemory ? new byte[Config.Dimension * OriginalVectorStore.BytesPerCoordinateOf(Config.Originals)] : [];
        var rows = originalsInMemory
            ? new CodesLogOrder(pass.Ids, (index, original) =>
                _index.UpsertChecked(pass.Ids[index], pass.Codes(index), _index.StoredOriginal(Copy(original, stored))))
            : null;
        // Blob entries hold originals and payloads; with no live blob there is nothing more to read.
        if (_store.GetStatistics().BlobLogLiveBytes > 0)
        {
            byte[] json = new byte[256]; // the payload being flattened (PayloadFields reads memory, the pass gives spans)
            await _store.ForEachLiveBlobAsync((id, original, payload) =>
            {
                if (!payload.IsEmpty)
                {
                    if (json.Length < payload.Length)
                    {
                        json = new byte[Math.Max(payload.Length, 2 * json.Length)];
                    }
                    payload.CopyTo(json);
                    _points[id] = PayloadFields.FromUtf8(json.AsMemory(0, payload.Length));
                }
                rows?.Arrive(id, original);
            }, cancellationToken).ConfigureAwait(false);
        }
        rows?.Finish();
    }

    /// <summary><paramref name="original"/> copied into <paramref name="buffer"/> when it fits exactly, else as its own
    /// array (which <see cref="VectorDb.Index.Search.VectorIndex.StoredOriginal"/> then refuses for its length).</summary>
    private static ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> original, byte[] buffer)
    {
        if (original.Length != buffer.Length)
        {
            return original.ToArray();
        }
        original.CopyTo(buffer);
        return buffer;
    }

    /// <summary>What the sequential pass saw: live ids in codes-log order and, when asked, their codes (kept in
    /// chunks of <see cref="ChunkRecords"/> records, so no single array has to hold every record).</summary>
    private sealed class LivePass(int recordSize, bool keepCodes, int expected)
    {
        private const int ChunkRecords = 4096;
        private readonly List<byte[]> _chunks = [];

        public List<ulong> Ids { get; } = new(expected);

        public int Count => Ids.Count;

        public void Add(ulong id, ReadOnlySpan<byte> codes)
        {
            if (keepCodes)
            {
                int slot = Ids.Count % ChunkRecords;
                if (slot == 0)
                {
                    _chunks.Add(new byte[ChunkRecords * recordSize]);
                }
                codes.CopyTo(_chunks[^1].AsSpan(slot * recordSize, recordSize));
            }
            Ids.Add(id);
        }

        public ReadOnlySpan<byte> Codes(int index) =>
            _chunks[index / ChunkRecords].AsSpan(index % ChunkRecords * recordSize, recordSize);
    }
}

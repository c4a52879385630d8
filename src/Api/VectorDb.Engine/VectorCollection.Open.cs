using System.Runtime.InteropServices;
using VectorDb.Engine.Filtering;
using VectorDb.Storage;

namespace VectorDb.Engine;

public sealed partial class VectorCollection
{
    /// <summary>
    /// Opens a stored collection and rebuilds its index and payload fields. Ids and codes come from one sequential
    /// pass over the codes log (<see cref="StoredCollection.ForEachLiveAsync"/>); only what that pass does not carry
    /// (originals kept in memory, payloads) is then read per point, with <see cref="DatabaseOptions.RebuildReadConcurrency"/>
    /// reads in flight. Index rows are added in codes-log order, so they are the same on every open.
    /// </summary>
    /// <remarks>
    /// Reads per point after the pass: none when no live point has a blob (no originals, no payloads); otherwise
    /// one <see cref="StoredCollection.GetAsync"/>, the storage layer's only read that returns a payload (it also
    /// reads the point's codes entry again, and the original even when re-ranking reads originals from storage).
    /// </remarks>
    internal static async Task<VectorCollection> OpenAsync(StoredCollection store, DatabaseOptions options, CancellationToken cancellationToken)
    {
        var config = CollectionConfig.FromManifest(store.Name, store.Manifest);
        var collection = new VectorCollection(store.Name, config, store, options);
        try
        {
            await collection.RebuildAsync(cancellationToken).ConfigureAwait(false);
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
        bool keepsOriginals = Config.Originals != OriginalVectorFormat.None;
        if (keepsOriginals && _index.OriginalBytesInMemoryAfter(live) > _options.OriginalsMemoryBytes)
        {
            MoveOriginalsToStorage();
        }
        bool originalsInMemory = keepsOriginals && !_index.OriginalsAreExternal;
        var pass = new LivePass(_index.Layout.RecordSize, keepCodes: originalsInMemory, live);
        // Without in-memory originals a row is complete with its codes: it goes into the index during the pass.
        await _store.ForEachLiveAsync((id, _, codes) =>
        {
            pass.Add(id, codes);
            if (!originalsInMemory)
            {
                _index.UpsertEncoded(id, codes, default);
            }
        }, cancellationToken).ConfigureAwait(false);

        // Blob entries hold originals and payloads; with no live blob there is nothing more to read.
        if (_store.GetStatistics().BlobLogLiveBytes == 0)
        {
            foreach (ulong id in pass.Ids)
            {
                _points[id] = PayloadFields.Empty;
            }
            return;
        }
        var widened = Config.Originals == OriginalVectorFormat.Float32 && BitConverter.IsLittleEndian
            ? null
            : new float[Config.Dimension]; // float16 (or a big-endian host): originals are widened into this
        int window = _options.RebuildReadConcurrency;
        var reads = new Task<StoredPoint?>[Math.Min(window, Math.Max(pass.Count, 1))];
        for (int i = 0; i < pass.Count + reads.Length; i++)
        {
            // Slot i % window: complete read i - window (in codes-log order), then start read i.
            int done = i - reads.Length;
            if (done >= 0)
            {
                var point = await reads[done % reads.Length].ConfigureAwait(false);
                Apply(pass, done, point, originalsInMemory, widened);
            }
            if (i < pass.Count)
            {
                reads[i % reads.Length] = _store.GetAsync(pass.Ids[i], cancellationToken);
            }
        }
    }

    /// <summary>Adds the <paramref name="index"/>-th point of the pass: its payload fields, and its index row when
    /// that waited for the original.</summary>
    private void Apply(LivePass pass, int index, StoredPoint? point, bool originalsInMemory, float[]? widened)
    {
        ulong id = pass.Ids[index];
        if (point is null)
        {
            // Deleted since the pass. No writer runs during open, so this does not happen; stay consistent if it does.
            _index.Delete(id);
            return;
        }
        if (originalsInMemory)
        {
            _index.UpsertEncoded(id, pass.Codes(index), Widen(point.Original, widened));
        }
        _points[id] = PayloadFields.FromUtf8(point.Payload);
    }

    /// <summary>A stored original as float32: the stored bytes reinterpreted (float32 on a little-endian host, no
    /// copy) or widened into <paramref name="scratch"/> (float16).</summary>
    private ReadOnlySpan<float> Widen(byte[] stored, float[]? scratch)
    {
        if (scratch is null)
        {
            return MemoryMarshal.Cast<byte, float>(stored);
        }
        bool float32 = Config.Originals == OriginalVectorFormat.Float32;
        for (int j = 0; j < scratch.Length; j++)
        {
            scratch[j] = float32
                ? System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(stored.AsSpan(4 * j))
                : (float)System.Buffers.Binary.BinaryPrimitives.ReadHalfLittleEndian(stored.AsSpan(2 * j));
        }
        return scratch;
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

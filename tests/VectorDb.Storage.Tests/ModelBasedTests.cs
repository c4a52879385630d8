using VectorDb.Index.Common;

namespace VectorDb.Storage.Tests;

/// <summary>
/// Runs seeded random sequences of upsert / delete / get / count / flush / compact / reopen against the real store
/// (real files) and against a plain dictionary model, comparing every read and, at each reopen and at the end, the
/// whole content (ids, codes, originals, payloads, keys; through gets, the codes-log pass and the blob-log pass).
/// </summary>
public sealed class ModelBasedTests
{
    private const int IdRange = 200;   // small, so overwrites and deletes of live ids are frequent
    private const int KeyRange = 40;   // small, so key conflicts (which must be rejected) happen

    private sealed record ModelPoint(ulong Version, int PayloadBytes, string? Key);

    [Theory]
    [InlineData(1UL, OriginalsFormat.Float32)]
    [InlineData(2UL, OriginalsFormat.None)]
    [InlineData(3UL, OriginalsFormat.Float16)]
    public async Task RandomOperations_MatchDictionaryModel(ulong seed, OriginalsFormat format)
    {
        using var dir = new TestDirectory("model");
        var manifest = TestData.SmallManifest(format);
        var model = new Dictionary<ulong, ModelPoint>();
        var rng = new SeededRandom(seed);
        var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        var collection = store.CreateCollection("model", manifest);
        try
        {
            for (int step = 0; step < 2500; step++)
            {
                int op = rng.NextInt(100);
                if (op < 45)
                    await UpsertBatch(collection, manifest, model, rng, (ulong)step + 1);
                else if (op < 60)
                    await DeleteBatch(collection, model, rng);
                else if (op < 90)
                    await CheckGet(collection, manifest, model, (ulong)rng.NextInt(IdRange));
                else if (op < 95)
                    Assert.Equal(model.Count, collection.Count);
                else if (op < 97)
                    await collection.FlushAsync();
                else if (op < 98)
                    await collection.CompactAsync();
                else
                {
                    await collection.DisposeAsync();
                    store.Dispose();
                    store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
                    collection = store.OpenCollection("model", manifest);
                    await CheckEverything(collection, manifest, model);
                }
            }
            await CheckEverything(collection, manifest, model);
        }
        finally
        {
            await collection.DisposeAsync();
            store.Dispose();
        }
    }

    private static async Task UpsertBatch(StoredCollection collection, CollectionManifest manifest,
        Dictionary<ulong, ModelPoint> model, SeededRandom rng, ulong version)
    {
        int count = 1 + rng.NextInt(12);
        var batch = new PointWrite[count];
        var planned = new (ulong Id, ModelPoint Point)[count];
        for (int i = 0; i < count; i++)
        {
            ulong id = (ulong)rng.NextInt(IdRange);
            string? key = rng.NextInt(5) == 0 ? $"key-{rng.NextInt(KeyRange)}" : null;
            int payload = manifest.OriginalFormat == OriginalsFormat.None && rng.NextInt(2) == 0 ? 0 : rng.NextInt(manifest.MaxPayloadBytes + 1);
            batch[i] = TestData.Point(manifest, id, version, payload, key);
            planned[i] = (id, new ModelPoint(version, payload, key));
        }
        bool wait = rng.NextInt(5) == 0;
        if (ExpectRejected(model, planned))
        {
            await Assert.ThrowsAsync<ArgumentException>(() => collection.UpsertAsync(batch, wait));
            return;
        }
        await collection.UpsertAsync(batch, wait);
        foreach (var (id, point) in planned)
            model[id] = point;
    }

    // Mirrors the store's rule: keys are checked against the state before the batch; a key may appear once per batch.
    private static bool ExpectRejected(Dictionary<ulong, ModelPoint> model, (ulong Id, ModelPoint Point)[] planned)
    {
        var seen = new HashSet<string>();
        foreach (var (id, point) in planned)
        {
            if (point.Key is null)
                continue;
            if (!seen.Add(point.Key))
                return true;
            if (model.Any(kv => kv.Value.Key == point.Key && kv.Key != id))
                return true;
        }
        return false;
    }

    private static async Task DeleteBatch(StoredCollection collection, Dictionary<ulong, ModelPoint> model, SeededRandom rng)
    {
        var ids = Enumerable.Range(0, 1 + rng.NextInt(4)).Select(_ => (ulong)rng.NextInt(IdRange)).Distinct().ToArray();
        int expected = ids.Count(model.ContainsKey);
        int deleted = await collection.DeleteAsync(ids, wait: rng.NextInt(5) == 0);
        Assert.Equal(expected, deleted);
        foreach (var id in ids)
            model.Remove(id);
    }

    private static async Task CheckGet(StoredCollection collection, CollectionManifest manifest,
        Dictionary<ulong, ModelPoint> model, ulong id)
    {
        var actual = await collection.GetAsync(id);
        if (!model.TryGetValue(id, out var expected))
        {
            Assert.Null(actual);
            return;
        }
        Assert.NotNull(actual);
        var want = TestData.Point(manifest, id, expected.Version, expected.PayloadBytes, expected.Key);
        Assert.Equal(want.Codes.ToArray(), actual.Codes);
        Assert.Equal(want.Original.ToArray(), actual.Original);
        Assert.Equal(want.Payload.ToArray(), actual.Payload);
        Assert.Equal(want.Key, actual.Key);
        if (want.Key is not null)
        {
            Assert.True(collection.TryResolveKey(want.Key, out ulong owner));
            Assert.Equal(id, owner);
        }
    }

    private static async Task CheckEverything(StoredCollection collection, CollectionManifest manifest,
        Dictionary<ulong, ModelPoint> model)
    {
        Assert.Equal(model.Count, collection.Count);
        var visited = new Dictionary<ulong, byte[]>();
        await collection.ForEachLiveAsync((id, key, codes) =>
        {
            Assert.True(visited.TryAdd(id, codes.ToArray()), $"point {id} visited twice");
            Assert.Equal(model.GetValueOrDefault(id)?.Key, key);
        });
        Assert.Equal(model.Keys.Order(), visited.Keys.Order());
        foreach (var (id, point) in model)
        {
            Assert.Equal(TestData.Point(manifest, id, point.Version, point.PayloadBytes, point.Key).Codes.ToArray(), visited[id]);
            await CheckGet(collection, manifest, model, id);
        }
        // The sequential blob pass: every point with an original or a payload, once, in its current version.
        var blobs = new Dictionary<ulong, (byte[] Original, byte[] Payload)>();
        await collection.ForEachLiveBlobAsync((id, original, payload) =>
            Assert.True(blobs.TryAdd(id, (original.ToArray(), payload.ToArray())), $"point {id} visited twice by the blob pass"));
        var withBlob = model.Where(p => manifest.OriginalFormat != OriginalsFormat.None || p.Value.PayloadBytes > 0).Select(p => p.Key);
        Assert.Equal(withBlob.Order(), blobs.Keys.Order());
        foreach (var (id, (original, payload)) in blobs)
        {
            var want = TestData.Point(manifest, id, model[id].Version, model[id].PayloadBytes, model[id].Key);
            Assert.Equal(want.Original.ToArray(), original);
            Assert.Equal(want.Payload.ToArray(), payload);
        }
        Assert.Equal(0, collection.LiveBlobReadFallbacks);
        var originals = await collection.ReadOriginalsAsync(model.Keys.ToArray());
        int i = 0;
        foreach (var (id, point) in model)
        {
            var want = TestData.Point(manifest, id, point.Version, point.PayloadBytes, point.Key);
            if (manifest.OriginalFormat == OriginalsFormat.None)
                Assert.Null(originals[i]);
            else
                Assert.Equal(want.Original.ToArray(), originals[i]);
            i++;
        }
    }
}

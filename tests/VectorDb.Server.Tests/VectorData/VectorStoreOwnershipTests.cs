using Microsoft.Extensions.VectorData;
using VectorDb.Tests.Support;

namespace VectorDb.Server.Tests.VectorData;

/// <summary>Issue 15 point 4: a store opened by <see cref="VectorDbVectorStore.OpenAsync"/> owns its database, so the
/// documented one-liner can be repeated in one process (each dispose closes the directory for the next open).</summary>
public sealed class VectorStoreOwnershipTests
{
    public sealed class Doc
    {
        [VectorStoreKey]
        public ulong Id { get; set; }

        [VectorStoreData]
        public string Text { get; set; } = "";

        [VectorStoreVector(2)]
        public ReadOnlyMemory<float> Embedding { get; set; }
    }

    [Fact]
    public async Task OpenDisposeOpen_InOneProcess_SeesTheDataOfEachRound()
    {
        using var dir = new TempDirectory();
        for (ulong round = 1; round <= 3; round++)
        {
            // Round 1 disposes synchronously (using, as VectorStore is IDisposable), the others asynchronously.
            VectorDbVectorStore store = await VectorDbVectorStore.OpenAsync(dir.Path);
            try
            {
                Assert.True(store.OwnsDatabase);
                var docs = store.GetCollection<ulong, Doc>("docs");
                await docs.EnsureCollectionExistsAsync();
                await docs.UpsertAsync(new Doc { Id = round, Text = $"round {round}", Embedding = new[] { 1f, round } });
                ulong[] written = [.. Enumerable.Range(1, (int)round).Select(i => (ulong)i)];
                var all = await docs.GetAsync(written).ToListAsync();
                Assert.Equal(written, all.Select(d => d.Id).Order());
            }
            finally
            {
                if (round == 1)
                {
                    store.Dispose();
                }
                else
                {
                    await store.DisposeAsync();
                }
            }
            Assert.Throws<ObjectDisposedException>(() => store.Database.ListCollections());
        }
    }

    [Fact]
    public async Task StoreOverACallersDatabase_LeavesItOpen_UnlessToldToOwnIt()
    {
        using var dir = new TempDirectory();
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        using (var borrowed = new VectorDbVectorStore(db))
        {
            Assert.False(borrowed.OwnsDatabase);
            await borrowed.GetCollection<ulong, Doc>("docs").EnsureCollectionExistsAsync();
        }
        Assert.Equal(["docs"], db.ListCollections());

        var owning = new VectorDbVectorStore(db, ownsDatabase: true);
        owning.Dispose();
        owning.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => db.ListCollections());
    }
}

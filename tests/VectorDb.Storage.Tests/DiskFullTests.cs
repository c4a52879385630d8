namespace VectorDb.Storage.Tests;

/// <summary>
/// A full disk, simulated precisely by <see cref="StorageOptions.DiskSpaceForTests"/> (the same refusal ENOSPC from
/// fallocate gives): writes are refused with <see cref="DiskFullException"/> before anything is appended, nothing of
/// a refused batch is visible, nothing refused is acknowledged (wait = false included), and the collection accepts
/// writes again, without a reopen, once space returns. Every acknowledged write survives a reopen.
/// </summary>
public sealed class DiskFullTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Rounds = 8;
    private const int BatchSize = 40;

    [Fact]
    public async Task FillFreeRounds_RefusedBatchesInvisible_AcknowledgedWritesAllSurvive()
    {
        using var dir = new TestDirectory("diskfull");
        var manifest = TestData.SmallManifest();
        var budget = new DiskSpaceBudget(0);
        var options = TestData.SmallOptions with { DiskSpaceForTests = budget };
        var acknowledged = new Dictionary<ulong, PointWrite>();
        int refusals = 0;
        ulong nextId = 1;
        using (var store = CollectionCatalogue.Open(dir.Path, options))
        {
            await using var c = store.CreateCollection("c", manifest);
            // Nothing can be written on a disk with no free space, buffered or not.
            var first = Batch(manifest, ref nextId);
            await Assert.ThrowsAsync<DiskFullException>(() => c.UpsertAsync(first, wait: false));
            Assert.Equal(0, c.Count);
            for (int round = 0; round < Rounds; round++)
            {
                budget.Available += 3L << 20; // "free" 3 MiB: about one 1 MiB chunk per log, then the disk is full again
                while (true)
                {
                    var batch = Batch(manifest, ref nextId);
                    bool wait = nextId % 3 != 0;
                    try
                    {
                        await c.UpsertAsync(batch, wait);
                    }
                    catch (DiskFullException e)
                    {
                        refusals++;
                        Assert.Contains("No space left", e.Message, StringComparison.Ordinal);
                        // Nothing of the refused batch is visible; everything acknowledged is.
                        Assert.Equal(acknowledged.Count, c.Count);
                        foreach (var p in batch)
                            Assert.False(c.Contains(p.Id));
                        Assert.Null(await c.GetAsync(batch[0].Id));
                        break;
                    }
                    foreach (var p in batch)
                        acknowledged[p.Id] = p;
                }
                await c.FlushAsync(); // reads and checkpoints keep working on a full disk
                Assert.Equal(acknowledged.Count, c.Count);
            }
        }
        Assert.Equal(Rounds, refusals);
        Assert.True(acknowledged.Count > Rounds * BatchSize);
        int lost = 0;
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using var c = store.OpenCollection("c", manifest);
            foreach (ulong id in acknowledged.Keys)
                lost += c.Contains(id) ? 0 : 1;
            output.WriteLine($"{Rounds} fill/free rounds, {refusals} refusals, {acknowledged.Count} acknowledged points, {lost} lost after reopen");
            Assert.Equal(acknowledged.Count, c.Count); // also: no refused point came back
            foreach (var (id, write) in acknowledged)
            {
                var stored = await c.GetAsync(id);
                Assert.NotNull(stored);
                Assert.Equal(write.Original.ToArray(), stored.Original);
                Assert.Equal(write.Codes.ToArray(), stored.Codes);
            }
        }
    }

    [Fact]
    public async Task Compaction_OnFullDisk_StopsWithDiskFull_AndLosesNothing()
    {
        using var dir = new TestDirectory("diskfull-compact");
        var manifest = TestData.SmallManifest();
        var budget = new DiskSpaceBudget(64L << 20);
        var options = TestData.SmallOptions with { DiskSpaceForTests = budget };
        using var store = CollectionCatalogue.Open(dir.Path, options);
        await using var c = store.CreateCollection("c", manifest);
        var latest = new Dictionary<ulong, PointWrite>();
        for (ulong version = 1; version <= 4; version++)
        {
            // ~2.6 MB of live blobs: more than the slack of an allocated chunk, so moving them needs new space.
            // Batches of 100, so that the space allocated ahead of the tail is about one 1 MiB chunk.
            for (int start = 1; start <= 10_000; start += 100)
            {
                var batch = Enumerable.Range(start, 100).Select(i => TestData.Point(manifest, (ulong)i, version, 200)).ToArray();
                await c.UpsertAsync(batch, wait: false);
                foreach (var p in batch)
                    latest[p.Id] = p;
            }
        }
        budget.Available = 0;
        await Assert.ThrowsAsync<DiskFullException>(() => c.CompactAsync());
        Assert.Equal(latest.Count, c.Count);
        foreach (ulong id in new ulong[] { 1, 777, 10_000 })
            Assert.Equal(latest[id].Original.ToArray(), (await c.GetAsync(id))!.Original);
        budget.Available = 64L << 20;
        await c.CompactAsync(); // with space back, compaction completes
        Assert.Equal(latest.Count, c.Count);
        Assert.Equal(latest[1500].Original.ToArray(), (await c.GetAsync(1500))!.Original);
    }

    [Fact]
    public async Task Delete_OnFullDisk_IsRefusedWhole()
    {
        using var dir = new TestDirectory("diskfull-delete");
        var manifest = TestData.SmallManifest();
        var budget = new DiskSpaceBudget(64L << 20);
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions with { DiskSpaceForTests = budget });
        await using var c = store.CreateCollection("c", manifest);
        await c.UpsertAsync(Enumerable.Range(1, 100).Select(i => TestData.Point(manifest, (ulong)i, 1, 0)).ToArray());
        budget.Available = 0;
        // 100k deletes need more codes-log space than the slack of the allocated chunk (but only ids 1..100 exist).
        var ids = Enumerable.Range(1, 100_000).Select(i => (ulong)i).ToArray();
        await Assert.ThrowsAsync<DiskFullException>(() => c.DeleteAsync(ids, wait: false));
        Assert.Equal(100, c.Count);
        budget.Available = 64L << 20;
        Assert.Equal(100, await c.DeleteAsync(ids));
        Assert.Equal(0, c.Count);
    }

    [Fact]
    public async Task FailedCommit_RefusesEveryCallUntilReopen_AndCloseReportsIt()
    {
        using var dir = new TestDirectory("commit-fault");
        var manifest = TestData.SmallManifest();
        FailingCommitCodesLog? codes = null;
        var options = TestData.SmallOptions with { WrapCodesLogForTests = inner => codes = new FailingCommitCodesLog(inner) };
        var durable = Enumerable.Range(1, 50).Select(i => TestData.Point(manifest, (ulong)i, 1, 10)).ToArray();
        using (var store = CollectionCatalogue.Open(dir.Path, options))
        {
            var c = store.CreateCollection("c", manifest);
            await c.UpsertAsync(durable);
            codes!.Fail();
            var lost = Enumerable.Range(100, 50).Select(i => TestData.Point(manifest, (ulong)i, 1, 10)).ToArray();
            var failed = await Assert.ThrowsAsync<CollectionFaultedException>(() => c.UpsertAsync(lost));
            Assert.Contains("restart", failed.Message, StringComparison.Ordinal);
            // From now on every call is refused, reads included (the in-memory state holds the unacknowledged batch).
            await Assert.ThrowsAsync<CollectionFaultedException>(() => c.UpsertAsync(durable.AsMemory(0, 1), wait: false));
            await Assert.ThrowsAsync<CollectionFaultedException>(() => c.GetAsync(1));
            Assert.Throws<CollectionFaultedException>(c.ThrowIfFaulted);
            // Closing says the final commit failed instead of pretending it is done.
            await Assert.ThrowsAsync<CollectionFaultedException>(() => c.DisposeAsync().AsTask());
        }
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using var c = store.OpenCollection("c", manifest);
            Assert.Equal(durable.Length, c.Count);
            Assert.Equal(durable[7].Original.ToArray(), (await c.GetAsync(8))!.Original);
        }
    }

    private static PointWrite[] Batch(CollectionManifest manifest, ref ulong nextId)
    {
        ulong start = nextId;
        nextId += BatchSize;
        return [.. Enumerable.Range(0, BatchSize).Select(i => TestData.Point(manifest, start + (ulong)i, 1, 200))];
    }
}

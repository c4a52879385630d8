namespace VectorDb.Storage.Tests;

/// <summary>
/// A batch whose codes entries cannot all be appended under one lock acquisition (the codes log's memory fills
/// mid-batch) releases the location lock and waits for a commit round before appending the rest. These tests force
/// that mid-batch roll deterministically (a codes log that refuses one append, then holds the commit round the
/// batch waits on) and run a second writer inside the gap. Whatever the interleaving, the batch must be
/// all-or-nothing with respect to its keys: the conflicting writer either wins before the batch (the batch is
/// refused and writes nothing) or loses after it.
/// </summary>
public sealed class BatchKeyAtomicityTests
{
    private const int BatchSize = 10;
    private const int RefusedAppend = 4; // the 4th codes append of the batch fails: points 0..2 are in, 3..9 wait

    private static PointWrite[] Batch(CollectionManifest manifest) =>
        Enumerable.Range(0, BatchSize).Select(i => TestData.Point(manifest, 100 + (ulong)i, 1, 16, $"b{i}")).ToArray();

    [Theory]
    [InlineData(2)] // a key of a point appended before the roll
    [InlineData(3)] // the key of the very point whose append was refused
    [InlineData(7)] // a key of a point still to be appended after the roll
    public async Task ConflictingWriterInsideAMidBatchRoll_LosesAndTheBatchLandsWhole(int conflictIndex)
    {
        using var dir = new TestDirectory("batch-keys");
        var manifest = TestData.SmallManifest();
        var batch = Batch(manifest);
        string contested = batch[conflictIndex].Key!;
        RefusingCodesLog? codes = null;
        var options = TestData.SmallOptions with
        {
            WrapCodesLogForTests = log => codes = new RefusingCodesLog(log, RefusedAppend),
        };
        using (var store = CollectionCatalogue.Open(dir.Path, options))
        await using (var c = store.CreateCollection("c", manifest))
        {
            var writing = c.UpsertAsync(batch);
            try
            {
                await codes!.Refused.WaitAsync(TimeSpan.FromSeconds(30));
                Assert.False(writing.IsCompleted); // the batch is parked in the gap, half appended

                var rival = TestData.Point(manifest, 999, 1, 16, contested);
                var refused = await Assert.ThrowsAsync<ArgumentException>(() => c.UpsertAsync(new[] { rival }, wait: false));
                Assert.Contains($"'{contested}'", refused.Message);
                // Points before the refused append own their keys already; the rest are reserved for the batch.
                Assert.Contains(conflictIndex < RefusedAppend - 1 ? "already belongs" : "concurrent batch", refused.Message);
            }
            finally
            {
                codes?.ReleaseHeldCommit(); // also on failure, or closing the collection would wait forever
            }
            await writing.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(1, codes.Refusals);
            AssertBatchWhollyPresent(c, batch);
            Assert.False(c.Contains(999));
        }
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        await using (var c = store.OpenCollection("c", manifest))
        {
            AssertBatchWhollyPresent(c, batch); // the log replays to the same state
            Assert.False(c.Contains(999));
        }
    }

    [Fact]
    public async Task ConflictingWriterBeforeTheBatch_Wins_AndTheBatchWritesNothing()
    {
        using var dir = new TestDirectory("batch-keys-first");
        var manifest = TestData.SmallManifest();
        var batch = Batch(manifest);
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        await using var c = store.CreateCollection("c", manifest);
        await c.UpsertAsync(new[] { TestData.Point(manifest, 999, 1, 16, batch[7].Key) });

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => c.UpsertAsync(batch));
        Assert.Contains($"'{batch[7].Key}'", refused.Message);
        Assert.Equal(1, c.Count);
        Assert.All(batch, p => Assert.False(c.Contains(p.Id)));
        Assert.True(c.TryResolveKey(batch[7].Key!, out ulong owner));
        Assert.Equal(999UL, owner);
    }

    [Fact]
    public async Task KeysFreedAfterARolledBatch_CanBeTakenAgain()
    {
        using var dir = new TestDirectory("batch-keys-release");
        var manifest = TestData.SmallManifest();
        var batch = Batch(manifest);
        RefusingCodesLog? codes = null;
        var options = TestData.SmallOptions with
        {
            WrapCodesLogForTests = log => codes = new RefusingCodesLog(log, RefusedAppend),
        };
        using var store = CollectionCatalogue.Open(dir.Path, options);
        await using var c = store.CreateCollection("c", manifest);
        var writing = c.UpsertAsync(batch);
        await codes!.Refused.WaitAsync(TimeSpan.FromSeconds(30));
        codes.ReleaseHeldCommit();
        await writing.WaitAsync(TimeSpan.FromSeconds(30));

        // Once the batch is done nothing of it may stay reserved: a deleted point's key goes to another point.
        Assert.Equal(1, await c.DeleteAsync(new[] { batch[7].Id }));
        await c.UpsertAsync(new[] { TestData.Point(manifest, 999, 1, 16, batch[7].Key) });
        Assert.True(c.TryResolveKey(batch[7].Key!, out ulong owner));
        Assert.Equal(999UL, owner);
    }

    private static void AssertBatchWhollyPresent(StoredCollection c, PointWrite[] batch)
    {
        Assert.Equal(batch.Length, c.Count);
        foreach (var p in batch)
        {
            Assert.True(c.Contains(p.Id), $"point {p.Id} of the acknowledged batch is missing");
            Assert.True(c.TryResolveKey(p.Key!, out ulong owner), $"key {p.Key} is missing");
            Assert.Equal(p.Id, owner);
        }
    }
}

using VectorDb.Storage.Faster;

namespace VectorDb.Storage.Tests;

/// <summary>
/// The single-appender (codes) log's exact padding check after an entry that did not fit in the rest of a page had to
/// wait for a page buffer. Writers are serialised by one lock, as the collection's location lock does: a writer whose
/// <see cref="IAppendLog.TryAppend"/> is refused releases the lock and waits for a commit round (StoredCollection's
/// AppendCodes), a delete appends under the lock with the blocking <see cref="IAppendLog.Append"/>. If the refused
/// entry had left the tail parked on the next page start, another writer's smaller entry would become the first entry
/// of that page, and the scan (live or at recovery) would report the padding as unreadable entries.
/// </summary>
public sealed partial class LogPagePaddingTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    /// <summary>The writers of the scenario: the big entry that does not fit in page 1's 40 bytes of padding, and a
    /// smaller entry (12 framed bytes) from another writer that would fit there.</summary>
    private sealed class ParkedEntryScenario
    {
        private readonly Lock _writers = new();
        private readonly TaskCompletionSource _commitRound = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static readonly byte[] Small = [1, 2, 3, 4, 5, 6, 7, 8];

        public long BigAddress, SmallAddress;

        /// <summary>Runs the interleaving on a fresh single-appender log in <paramref name="directory"/> and returns
        /// it committed: pages 0 and 1 filled with page writes held back, the big entry tried (no buffer for page 2),
        /// the smaller entry sent by another writer, then the writes let go.</summary>
        public async Task<FasterAppendLog> RunAsync(string directory)
        {
            var log = FasterAppendLog.Open(directory, "padded.log", Geometry, recoveredCommit: null, singleAppender: true);
            log.Device.WritesAllowed.Reset();
            for (int i = 0; i < EntriesBeforePage2; i++)
                Assert.Equal(AddressOf(i), log.Append(Body(i)));
            long page1End = 2 * PageBytes - Page1Padding;
            Assert.Equal(page1End, log.TailAddress);

            var big = Task.Run(() => AppendAsCollectionWriter(log, Body(EntriesBeforePage2)));
            // The big entry's attempt parks the tail on page 2's start (page 0 is not written yet, so page 2 has no
            // buffer). Then the writer is either refused (it waits for a commit round, out of the lock) or waits for
            // the buffer (holding the lock); the other writer comes only then.
            Assert.True(SpinWait.SpinUntil(() => _refused.Task.IsCompleted || log.ParkedEntryWaits > 0, HangGuard),
                "the big entry was neither refused nor waiting");
            Assert.Equal(2 * PageBytes, log.TailAddress);
            var small = Task.Run(() => AppendAsDelete(log, Small));
            log.Device.WritesAllowed.Set();
            // The delete-like writer finishes before the refused writer's commit round comes (as when the round is
            // slower than one page write); only then may the refused writer retry.
            SmallAddress = await small.WaitAsync(HangGuard);
            _commitRound.SetResult();
            BigAddress = await big.WaitAsync(HangGuard);
            await log.CommitAsync();
            return log;
        }

        /// <summary>StoredCollection.AppendCodes: TryAppend under the lock; refused, wait for a commit round and retry.</summary>
        private async Task<long> AppendAsCollectionWriter(FasterAppendLog log, byte[] entry)
        {
            while (true)
            {
                lock (_writers)
                {
                    if (log.TryAppend(entry, out long address))
                        return address;
                }
                _refused.TrySetResult();
                await _commitRound.Task.ConfigureAwait(false);
            }
        }

        /// <summary>StoredCollection.DeleteAsync: the blocking Append under the lock.</summary>
        private long AppendAsDelete(FasterAppendLog log, byte[] entry)
        {
            lock (_writers)
                return log.Append(entry);
        }
    }

    private static void AssertParkedScenarioEntries(Collector collector, ParkedEntryScenario scenario)
    {
        Assert.Equal(EntriesBeforePage2 + 2, collector.Entries.Count);
        for (int i = 0; i <= EntriesBeforePage2; i++)
        {
            Assert.Equal(AddressOf(i), collector.Entries[i].Address);
            Assert.Equal(Body(i), collector.Entries[i].Body);
        }
        Assert.Equal(scenario.SmallAddress, collector.Entries[^1].Address);
        Assert.Equal(ParkedEntryScenario.Small, collector.Entries[^1].Body);
    }

    [Fact]
    public async Task EntryThatParkedTheTail_IsTheFirstOfTheNextPage_EvenWhenAnotherWriterComesFirst()
    {
        using var dir = new TestDirectory("parked-entry");
        var scenario = new ParkedEntryScenario();
        byte[] commit;
        using (var log = await scenario.RunAsync(dir.Path))
        {
            // The scan (which reported "entries between log addresses 8152 and 8192 are unreadable" when the smaller
            // entry could open page 2) reads every acknowledged entry, in append order: the parked entry opens page
            // 2, the smaller one follows it.
            var live = new Collector();
            Assert.Equal(log.CommittedUntilAddress, log.Scan(log.BeginAddress, log.CommittedUntilAddress, live));
            Assert.Equal(2 * PageBytes, scenario.BigAddress);
            Assert.Equal(2 * PageBytes + FramedBytes, scenario.SmallAddress);
            Assert.Equal(scenario.SmallAddress + 4 + ParkedEntryScenario.Small.Length, log.CommittedUntilAddress);
            AssertParkedScenarioEntries(live, scenario);
            commit = log.StagedCommit.Metadata!;
        }

        using var reopened = FasterAppendLog.Open(dir.Path, "padded.log", Geometry, commit, singleAppender: true);
        var recovered = new Collector();
        Assert.Equal(reopened.CommittedUntilAddress, reopened.Scan(reopened.BeginAddress, reopened.CommittedUntilAddress, recovered));
        AssertParkedScenarioEntries(recovered, scenario);
    }

    [Fact]
    public async Task ZeroedLengthOfAPageLastEntry_BeforeTheParkedEntry_IsStillReported()
    {
        // The exact check still tells padding from a lost entry: with the last entry of page 1 unreadable, the gap
        // before page 2 is 144 bytes, room for the 104-byte entry found there, so it cannot be padding. (A bound of
        // one maximal entry, all that concurrent appenders allow, would have taken it for padding.)
        using var dir = new TestDirectory("parked-entry-damaged");
        byte[] commit;
        using (var log = await new ParkedEntryScenario().RunAsync(dir.Path))
            commit = log.StagedCommit.Metadata!;
        long lastOfPage1 = AddressOf(EntriesBeforePage2 - 1);
        ZeroLength(dir.Path, lastOfPage1);

        using var reopened = FasterAppendLog.Open(dir.Path, "padded.log", Geometry, commit, singleAppender: true);
        var error = Assert.Throws<StorageCorruptionException>(() =>
            reopened.Scan(reopened.BeginAddress, reopened.CommittedUntilAddress, new Collector()));
        Assert.Contains($"entries between log addresses {lastOfPage1} and {2 * PageBytes} are unreadable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PageStartCommitOfAnOlderVersion_ReopensBeforeThePadding_SoASmallerFirstEntryIsNoGap()
    {
        // Codes logs written before the rule above may be committed to a parked page start (LogCommittedToPageStart
        // writes one). Reopened there, the next entry, whatever its size, would open page 2 and be reported as a gap.
        using var dir = new TestDirectory("parked-entry-old");
        long reopenedAt, smallAddress;
        byte[] commit;
        using (var log = await LogCommittedToPageStart(dir.Path, singleAppender: true))
        {
            reopenedAt = log.CommittedUntilAddress;
            smallAddress = log.Append(ParkedEntryScenario.Small);
            await log.CommitAsync();
            commit = log.StagedCommit.Metadata!;
        }

        using var reopened = FasterAppendLog.Open(dir.Path, "padded.log", Geometry, commit, singleAppender: true);
        var collector = new Collector();
        // Reopened at the page start, this reported "entries between log addresses 8152 and 8192 are unreadable".
        reopened.Scan(reopened.BeginAddress, reopened.CommittedUntilAddress, collector);
        Assert.Equal(2 * PageBytes - Page1Padding, reopenedAt);
        Assert.Equal(reopenedAt, smallAddress); // the 12 framed bytes went into the old padding
        Assert.Equal(EntriesBeforePage2 + 1, collector.Entries.Count);
        for (int i = 0; i < EntriesBeforePage2; i++)
        {
            Assert.Equal(AddressOf(i), collector.Entries[i].Address);
            Assert.Equal(Body(i), collector.Entries[i].Body);
        }
        Assert.Equal(smallAddress, collector.Entries[^1].Address);
        Assert.Equal(ParkedEntryScenario.Small, collector.Entries[^1].Body);
    }
}

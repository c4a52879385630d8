using System.Collections.Concurrent;
using VectorDb.Engine;
using VectorDb.Index.Search;
using VectorDb.Storage;
using IndexKind = VectorDb.IndexLayout;

namespace VectorDb;

/// <summary>
/// One open collection: the durable <see cref="StoredCollection"/> (source of truth) and the in-memory
/// <see cref="VectorIndex"/> rebuilt from it on open, plus every live point's payload flattened for filtering.
/// <para>Write order: a batch is validated and encoded first (nothing changes on bad input), then appended to storage
/// and applied to the index under one write gate (so storage and index see writes in the same order), and only
/// then, outside the gate, awaited to be durable (so concurrent writers share one group commit).</para>
/// <para>Thread-safety: every member may be called concurrently. After the collection is dropped (or the database
/// disposed) calls throw <see cref="CollectionNotFoundException"/>; calls in flight finish first.</para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Owned by VectorDatabase, which closes it (CloseAsync) on drop and dispose; users never dispose a collection.")]
public sealed partial class VectorCollection
{
    private readonly StoredCollection _store;
    private readonly VectorIndex _index;
    private readonly ConcurrentDictionary<ulong, PayloadFields> _points = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private Task? _training; // the background IVF training, once started (TrainIfDue)
    private readonly DatabaseOptions _options;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _operationId;
    private Task? _closing;
    private int _users;
    private int _closed;

    private VectorCollection(string name, CollectionConfig config, StoredCollection store, DatabaseOptions options)
    {
        Name = name;
        Config = config;
        _store = store;
        _options = options;
        // A centred collection's centre is fixed once (from its first vectors) and persisted before any record uses it.
        _index = new VectorIndex(config.IndexOptions() with { Centre = store.ReadCentre() }, level: null, options.ExactScorerFactory);
    }

    public string Name { get; }

    public CollectionConfig Config { get; }

    /// <summary>Live points.</summary>
    public long Count => _index.Count;

    private EngineLimits Limits => _options.Limits;

    /// <summary>A new, empty collection over freshly created storage.</summary>
    internal static VectorCollection CreateEmpty(StoredCollection store, CollectionConfig config, DatabaseOptions options) =>
        new(store.Name, config, store, options);

    /// <summary>Sizes and counts now.</summary>
    public CollectionInfo GetInfo()
    {
        Enter();
        try
        {
            var statistics = _store.GetStatistics();
            long count = _index.Count;
            long inMemory = count * (_index.CodeBytesPerVector + 8L) + _index.OriginalBytesInMemory;
            return new CollectionInfo(Name, Config, count, statistics.BytesOnDisk, inMemory, _index.CodeBytesPerVector, _index.ListCount);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>True when re-ranking reads originals from storage (they exceed
    /// <see cref="DatabaseOptions.OriginalsMemoryBytes"/>) instead of holding them in memory.</summary>
    public bool OriginalsOnDisk => _index.OriginalsAreExternal;

    /// <summary>Bytes of memory held by this collection's in-memory originals (0 when they are read from storage).</summary>
    public long OriginalBytesInMemory => _index.OriginalBytesInMemory;

    /// <summary>Switches re-ranking to originals read from storage (once, when the budget would be exceeded).</summary>
    private void MoveOriginalsToStorage() =>
        _index.UseExternalOriginals(new StoredOriginalReader(_store));

    /// <summary>Makes every write acknowledged so far durable.</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken = default)
    {
        Enter();
        try
        {
            await _store.FlushAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Trains the IVF lists now, or waits for the training already running (an IVF collection otherwise trains in the
    /// background once it reaches <see cref="DatabaseOptions.IvfTrainingThreshold"/> points). Searches and writes go on
    /// meanwhile (the flat scan serves until the lists are in); returns once the collection searches its lists.
    /// </summary>
    /// <exception cref="InvalidOperationException">The collection is flat, or has fewer points than lists.</exception>
    public async Task TrainIndexAsync(CancellationToken cancellationToken = default)
    {
        Enter();
        try
        {
            if (Config.Index != IndexKind.Ivf)
            {
                throw new InvalidOperationException($"Collection '{Name}' is flat; only IVF collections are trained.");
            }
            Task? running = Volatile.Read(ref _training);
            if (running is { IsCompleted: false })
            {
                await running.WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            await Task.Run(TrainAndPersist, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>The background IVF training started by a write (null until one is due), so that tests can wait for
    /// the event itself rather than poll with a clock.</summary>
    internal Task? BackgroundTraining => Volatile.Read(ref _training);

    /// <summary>
    /// Starts training the IVF lists in the background the first time the collection is big enough (k-means on a
    /// sample and the assignment of every point take seconds at 50,000 points; searches and writes are not held up by
    /// them, only by the final switch to the lists). Caller holds the write gate (or is opening the collection).
    /// </summary>
    private void TrainIfDue()
    {
        int lists = Config.NList > 0 ? Config.NList : VectorIndex.DefaultListCount(_index.Count);
        bool due = Config.Index == IndexKind.Ivf && !_index.IsTrained && _index.Count >= Math.Max(_options.IvfTrainingThreshold, lists);
        // A training that failed (it should not: the index checks its size first) is retried on the next write.
        if (due && _training is null or { IsFaulted: true })
        {
            _training = Task.Run(TrainAndPersist);
        }
    }

    /// <summary>
    /// Trains the IVF lists and persists their centroids, so that a reopened collection builds the same lists
    /// (<see cref="VectorIndex.UseIvfCentroids"/>) and answers as it did, instead of training on what it holds then.
    /// A crash before the file is written only means the next open trains again.
    /// </summary>
    private void TrainAndPersist()
    {
        _index.TrainIvf();
        if (_index.IvfCentroidVectors() is { } centroids)
        {
            _store.WriteIvfCentroids(_index.ListCount, centroids);
        }
    }

    /// <summary>Registers a call in flight; throws if the collection is closed.</summary>
    private void Enter()
    {
        Interlocked.Increment(ref _users);
        if (Volatile.Read(ref _closed) != 0)
        {
            Exit();
            throw new CollectionNotFoundException(Name);
        }
        try
        {
            // After a failed commit the index may hold writes that are not durable: refuse reads too.
            _store.ThrowIfFaulted();
        }
        catch
        {
            Exit();
            throw;
        }
    }

    private void Exit()
    {
        if (Interlocked.Decrement(ref _users) == 0 && Volatile.Read(ref _closed) != 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Refuses new calls, waits for calls in flight, commits and closes storage. Idempotent.</summary>
    internal Task CloseAsync()
    {
        lock (_drained)
        {
            return _closing ??= CloseOnceAsync();
        }
    }

    private async Task CloseOnceAsync()
    {
        Interlocked.Exchange(ref _closed, 1);
        if (Volatile.Read(ref _users) == 0)
        {
            _drained.TrySetResult();
        }
        await _drained.Task.ConfigureAwait(false);
        if (Volatile.Read(ref _training) is { } training)
        {
            // The index must outlive its training; a failed training leaves the flat scan, which is still correct.
            await training.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        try
        {
            await _store.DisposeAsync().ConfigureAwait(false); // throws when the final commit failed
        }
        finally
        {
            _index.Dispose();
            _writeGate.Dispose();
        }
    }
}

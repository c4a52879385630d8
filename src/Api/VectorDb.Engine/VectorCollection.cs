using System.Collections.Concurrent;
using VectorDb.Engine;
using VectorDb.Index.Search;
using VectorDb.Storage;

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
    /// Trains the IVF lists now (a flat collection: its residual code lists), or waits for the training already running
    /// (an IVF collection otherwise trains in the background once it reaches
    /// <see cref="DatabaseOptions.IvfTrainingThreshold"/> points, a flat one at
    /// <see cref="DatabaseOptions.CodeListsThreshold"/>). Searches and writes go on meanwhile (the current codes serve
    /// until the lists are in); returns once the collection searches its lists.
    /// </summary>
    /// <exception cref="InvalidOperationException">The collection is flat and cannot have code lists (format-1 codes,
    /// no originals kept, or under 2 points), or has fewer points than lists.</exception>
    public async Task TrainIndexAsync(CancellationToken cancellationToken = default)
    {
        Enter();
        try
        {
            bool ivf = Config.Index == IndexLayout.Ivf;
            if (!ivf && !_index.HasCodeLists && !_index.CodeListsDue(threshold: 2))
            {
                throw new InvalidOperationException(
                    $"Collection '{Name}' is flat and cannot train code lists: they need format-2 codes, originals kept and at least 2 points.");
            }
            Task? running = Volatile.Read(ref _training);
            if (running is { IsCompleted: false })
            {
                await running.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (ivf ? _index.IsTrained : _index.HasCodeLists)
                {
                    return; // the running training was the one asked for (an IVF collection's may have been code lists)
                }
            }
            await Task.Run(() => TrainAndPersist(ivf ? _index.BeginIvfTraining() : _index.BeginCodeListTraining()), cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>The latest background training (code lists or IVF lists) started by a write (null until one is due), so
    /// that tests can wait for the event itself rather than poll with a clock.</summary>
    internal Task? BackgroundTraining => Volatile.Read(ref _training);

    /// <summary>
    /// Starts training the IVF lists in the background the first time the collection is big enough (k-means on a
    /// sample and the assignment of every point take seconds at 50,000 points; searches and writes are not held up by
    /// them, only by the final switch to the lists). Caller holds the write gate (or is opening the collection).
    /// </summary>
    private void TrainIfDue()
    {
        bool ivfDue = IvfTrainingDue();
        // Residual code lists until then (or for good, flat): same training, every list scanned (VectorIndex.CodeListsDue).
        bool codeListsDue = !ivfDue && _options.CodeListsThreshold > 0 && _index.CodeListsDue(_options.CodeListsThreshold);
        // A training that failed (it should not: the index checks its size first) is retried on the next write. One
        // training at a time: an IVF training that comes due while code lists train follows them in the same task.
        if ((ivfDue || codeListsDue) && _training is null or { IsCompleted: true })
        {
            // The sample is taken here, at the write that made the training due, so that it does not depend on when
            // the background task runs: two collections given the same writes train the same lists.
            try
            {
                IvfTraining training = codeListsDue ? _index.BeginCodeListTraining() : _index.BeginIvfTraining();
                _training = Task.Run(() => TrainAndPersist(training));
            }
#pragma warning disable CA1031 // the write that triggered it has succeeded: a failed start is a failed training, retried
            catch (Exception e)
#pragma warning restore CA1031
            {
                _training = Task.FromException(e);
            }
        }
    }

    /// <summary>Whether an IVF collection is big enough for its IVF lists and has none yet.</summary>
    private bool IvfTrainingDue()
    {
        int lists = Config.NList > 0 ? Config.NList : VectorIndex.DefaultListCount(_index.Count);
        return Config.Index == IndexLayout.Ivf && !_index.IsTrained && _index.Count >= Math.Max(_options.IvfTrainingThreshold, lists);
    }

    /// <summary>
    /// Runs and completes a training begun by the caller (IVF lists, or residual code lists) and persists the centroids
    /// (ivf.vdb or codelists.vdb), so that a reopened collection builds the same lists
    /// (<see cref="VectorIndex.UseIvfCentroids"/>, <see cref="VectorIndex.UseCodeListCentroids"/>) and answers as it
    /// did, instead of training on what it holds then. A crash before the file is written only means the next open
    /// trains again. Code lists are followed by the IVF lists at once when the collection grew past the IVF threshold
    /// meanwhile.
    /// </summary>
    private void TrainAndPersist(IvfTraining training)
    {
        _index.RunIvfTraining(training);
        _index.CompleteIvfTraining(training);
        float[] centroids = _index.IvfCentroidVectors()!;
        if (training.CodeLists)
        {
            _store.WriteCodeListCentroids(training.Lists, centroids);
            if (IvfTrainingDue())
            {
                TrainAndPersist(_index.BeginIvfTraining());
            }
            return;
        }
        _store.WriteIvfCentroids(training.Lists, centroids);
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

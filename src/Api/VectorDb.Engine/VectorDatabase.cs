using VectorDb.Storage;

namespace VectorDb;

/// <summary>
/// The embedded vector database: a directory of collections, each durable on disk (<see cref="CollectionCatalogue"/>) and
/// searchable in memory (<see cref="VectorCollection"/>). Every collection is opened, and its index rebuilt, when the
/// database is opened.
/// <para>Thread-safe. Dispose (await using) to commit everything and release the directory; a second process cannot
/// open the same collections while this one has them.</para>
/// </summary>
/// <example><code>
/// await using var db = await VectorDatabase.OpenAsync("./data");
/// var docs = await db.CreateCollectionAsync("docs", new CollectionConfig(Dimension: 384));
/// await docs.UpsertAsync([new PointInput(1, embedding, new JsonObject { ["lang"] = "en" })]);
/// var hits = await docs.SearchAsync(new SearchRequest(query, K: 10));
/// </code></example>
public sealed class VectorDatabase : IAsyncDisposable
{
    private readonly CollectionCatalogue _store;
    private readonly Dictionary<string, VectorCollection> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CollectionDamagedException> _damaged = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _catalogGate = new(1, 1);
    private readonly Lock _lock = new();
    private bool _disposed;

    private VectorDatabase(CollectionCatalogue store, DatabaseOptions options)
    {
        _store = store;
        Options = options;
    }

    public DatabaseOptions Options { get; }

    /// <summary>Full path of the data directory.</summary>
    public string DataDirectory => _store.RootDirectory;

    /// <summary>Opens (creating if needed) the database in <paramref name="path"/> and rebuilds every collection.</summary>
    public static async Task<VectorDatabase> OpenAsync(string path, DatabaseOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new DatabaseOptions();
        options.Validate();
        var store = CollectionCatalogue.Open(path, options.Storage);
        var database = new VectorDatabase(store, options);
        try
        {
            foreach (var name in store.ListCollections())
            {
                // One collection that cannot be opened must not take the others down: it is set aside as damaged
                // (refused with CollectionDamagedException, reported by DamagedCollections) and the rest are served.
                // A collection locked by another process is not damage: the directory is in use, so the open fails.
                try
                {
                    database._collections.Add(name, await OpenOneAsync(store, name, options, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException or CollectionLockedException))
                {
                    database._damaged.Add(name, new CollectionDamagedException(name, $"{e.GetType().Name}: {e.Message}", e));
                }
            }
            return database;
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<VectorCollection> OpenOneAsync(CollectionCatalogue store, string name, DatabaseOptions options, CancellationToken cancellationToken)
    {
        var stored = store.OpenCollection(name);
        try
        {
            return await VectorCollection.OpenAsync(stored, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stored.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Collections that could not be opened when the database was opened, with the reason (name -> the
    /// exception every call on them gets). They are not in <see cref="ListCollections"/>; drop them with
    /// <see cref="DropCollectionAsync"/> or salvage them offline (<c>CollectionSalvage</c>, CLI <c>salvage</c>).</summary>
    public IReadOnlyDictionary<string, CollectionDamagedException> DamagedCollections
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, CollectionDamagedException>(_damaged, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Synchronous <see cref="OpenAsync"/>.</summary>
    public static VectorDatabase Open(string path, DatabaseOptions? options = null) =>
        OpenAsync(path, options).GetAwaiter().GetResult();

    /// <summary>Creates an empty collection.</summary>
    /// <exception cref="CollectionAlreadyExistsException">The name is taken.</exception>
    /// <exception cref="ArgumentException">Invalid name or configuration (the message names the field).</exception>
    public async Task<VectorCollection> CreateCollectionAsync(string name, CollectionConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(config);
        CollectionNames.Validate(name);
        config.Validate(Options.Limits);
        await _catalogGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (_store.Exists(name))
            {
                throw new CollectionAlreadyExistsException(name);
            }
            var stored = _store.CreateCollection(name, config.ToManifest(Options.Limits.MaxPayloadBytes));
            var collection = VectorCollection.CreateEmpty(stored, config, Options);
            lock (_lock)
            {
                _collections.Add(name, collection);
            }
            return collection;
        }
        finally
        {
            _catalogGate.Release();
        }
    }

    /// <summary>The open collection named <paramref name="name"/>.</summary>
    /// <exception cref="CollectionNotFoundException">No such collection.</exception>
    /// <exception cref="CollectionDamagedException">The collection exists but could not be opened.</exception>
    public VectorCollection GetCollection(string name)
    {
        if (TryGetCollection(name, out var collection))
        {
            return collection;
        }
        lock (_lock)
        {
            throw _damaged.TryGetValue(name, out var damaged)
                ? new CollectionDamagedException(name, damaged.Reason, damaged.InnerException)
                : new CollectionNotFoundException(name);
        }
    }

    public bool TryGetCollection(string name, out VectorCollection collection)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_lock)
        {
            ThrowIfDisposed();
            return _collections.TryGetValue(name, out collection!);
        }
    }

    /// <summary>Names of all collections, sorted ordinally.</summary>
    public IReadOnlyList<string> ListCollections()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            return [.. _collections.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Drops a collection: calls in flight on it finish, later calls get <see cref="CollectionNotFoundException"/>,
    /// then its files are deleted. Drops a damaged collection (<see cref="DamagedCollections"/>) too.</summary>
    /// <exception cref="CollectionNotFoundException">No such collection.</exception>
    public async Task DropCollectionAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await _catalogGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            VectorCollection? collection;
            lock (_lock)
            {
                ThrowIfDisposed();
                if (!_collections.Remove(name, out collection) && !_damaged.ContainsKey(name))
                {
                    throw new CollectionNotFoundException(name);
                }
            }
            if (collection is not null)
            {
                await collection.CloseAsync().ConfigureAwait(false);
            }
            _store.DropCollection(name); // a damaged collection is not open: its files just go
            lock (_lock)
            {
                _damaged.Remove(name);
            }
        }
        finally
        {
            _catalogGate.Release();
        }
    }

    /// <summary>Makes every acknowledged write of every collection durable.</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken = default)
    {
        VectorCollection[] open;
        lock (_lock)
        {
            ThrowIfDisposed();
            open = [.. _collections.Values];
        }
        foreach (var collection in open)
        {
            try
            {
                await collection.CheckpointAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (CollectionNotFoundException)
            {
                // dropped meanwhile: nothing left to make durable
            }
        }
    }

    /// <summary>Commits every collection and closes the directory. Calls in flight finish first. Throws
    /// <see cref="AggregateException"/> of <see cref="CollectionFaultedException"/> (after closing everything) when a
    /// collection's final commit failed.</summary>
    public async ValueTask DisposeAsync()
    {
        VectorCollection[] open;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            open = [.. _collections.Values];
            _collections.Clear();
        }
        List<Exception>? failures = null;
        foreach (var collection in open)
        {
            try
            {
                await collection.CloseAsync().ConfigureAwait(false);
            }
            catch (CollectionFaultedException e)
            {
                (failures ??= []).Add(e); // close the others first, then report
            }
        }
        _store.Dispose();
        if (failures is not null)
        {
            throw new AggregateException("The final checkpoint failed for some collections; their writes after the last durable commit are lost.", failures);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}

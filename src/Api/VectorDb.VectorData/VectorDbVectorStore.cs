using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;

namespace VectorDb;

/// <summary>
/// A <see cref="VectorStore"/> over an embedded <see cref="VectorDatabase"/>: switch a Semantic Kernel /
/// Microsoft.Extensions.AI application to VectorDb by constructing this instead of another provider's store.
/// <para>Ownership: a store made by <see cref="OpenAsync"/> owns its database and closes it (final checkpoint, directory
/// released) when disposed, so the same directory can be opened again in the same process. A store constructed over
/// a database the caller opened leaves it open unless <c>ownsDatabase</c> is true.</para>
/// </summary>
/// <example><code>
/// await using var store = await VectorDbVectorStore.OpenAsync("./data");
/// var hotels = store.GetCollection&lt;ulong, Hotel&gt;("hotels");
/// </code></example>
/// <param name="database">The database the collections live in.</param>
/// <param name="ownsDatabase">True: disposing the store disposes <paramref name="database"/>.</param>
public sealed class VectorDbVectorStore(VectorDatabase database, bool ownsDatabase = false) : VectorStore, IAsyncDisposable
{
    private int _disposed;

    /// <summary>Opens (creating if needed) the database in <paramref name="path"/> and returns a store that owns it:
    /// disposing the store closes the database.</summary>
    /// <param name="path">The data directory (relative paths resolve against the current directory).</param>
    /// <param name="options">Database options; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    public static async Task<VectorDbVectorStore> OpenAsync(string path, DatabaseOptions? options = null, CancellationToken cancellationToken = default) =>
        new(await VectorDatabase.OpenAsync(path, options, cancellationToken).ConfigureAwait(false), ownsDatabase: true);

    public VectorDatabase Database { get; } = database ?? throw new ArgumentNullException(nameof(database));

    /// <summary>True when disposing this store closes <see cref="Database"/>.</summary>
    public bool OwnsDatabase { get; } = ownsDatabase;

    /// <summary>Closes the database when the store owns it (see <see cref="OwnsDatabase"/>); idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && OwnsDatabase)
        {
            await Database.DisposeAsync().ConfigureAwait(false);
        }
        base.Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Synchronous <see cref="DisposeAsync"/> (what <c>using</c> and <see cref="VectorStore.Dispose()"/> call).</summary>
    /// <param name="disposing">True when called from Dispose, false from a finalizer (nothing to do then).</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0 && OwnsDatabase)
        {
            Database.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        base.Dispose(disposing);
    }

    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null) =>
        new VectorDbCollection<TKey, TRecord>(Database, name, definition);

    /// <summary>Dynamic (Dictionary-based) collections are not supported yet; use a record class.</summary>
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition) =>
        throw new NotSupportedException("VectorDb does not support dynamic collections yet; map a record class with [VectorStoreKey]/[VectorStoreData]/[VectorStoreVector].");

    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var name in Database.ListCollections())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(Database.TryGetCollection(name, out _));

    public override async Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        if (Database.TryGetCollection(name, out _))
        {
            try
            {
                await Database.DropCollectionAsync(name, cancellationToken).ConfigureAwait(false);
            }
            catch (CollectionNotFoundException)
            {
                // dropped concurrently: the goal is reached
            }
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(Database) ? Database
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;
}

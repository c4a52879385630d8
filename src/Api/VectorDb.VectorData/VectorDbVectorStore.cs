using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;
using VectorDb.Engine;

namespace VectorDb.VectorData;

/// <summary>
/// A <see cref="VectorStore"/> over an embedded <see cref="VectorDatabase"/>: switch a Semantic Kernel /
/// Microsoft.Extensions.AI application to VectorDb by constructing this instead of another provider's store.
/// The database stays owned by the caller (disposing the store does not close it).
/// </summary>
public sealed class VectorDbVectorStore(VectorDatabase database) : VectorStore
{
    public VectorDatabase Database { get; } = database ?? throw new ArgumentNullException(nameof(database));

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

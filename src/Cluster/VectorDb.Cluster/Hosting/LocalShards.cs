using System.Collections.Concurrent;
using VectorDb.Engine;

namespace VectorDb.Cluster.Hosting;

/// <summary>
/// This silo's shards: one embedded <see cref="VectorDatabase"/> in the silo's data folder, holding one engine
/// collection per shard replica (<c>collection-sN</c>), and each replica's replication position. The position is kept
/// in memory only: after a restart every local replica reports itself not synced, so it is caught up by a full sync
/// before it serves or accepts shipped writes again (its data is never trusted to be current).
/// </summary>
public sealed class LocalShards(string dataDirectory, DatabaseOptions? options = null) : IAsyncDisposable
{
    private readonly SemaphoreSlim _openGate = new(1, 1);
    private readonly ConcurrentDictionary<string, ReplicaPosition> _positions = new(StringComparer.Ordinal);
    private VectorDatabase? _database;

    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The silo's database, opened on first use.</summary>
    public async Task<VectorDatabase> DatabaseAsync()
    {
        if (Volatile.Read(ref _database) is { } open)
        {
            return open;
        }
        await _openGate.WaitAsync().ConfigureAwait(false);
        try
        {
            return _database ??= await VectorDatabase.OpenAsync(DataDirectory, options).ConfigureAwait(false);
        }
        finally
        {
            _openGate.Release();
        }
    }

    /// <summary>The replication position of a local shard replica (created not synced, epoch 0).</summary>
    public ReplicaPosition Position(string localName) => _positions.GetOrAdd(localName, _ => new ReplicaPosition());

    public async ValueTask DisposeAsync()
    {
        if (_database is { } database)
        {
            await database.DisposeAsync().ConfigureAwait(false);
        }
        _openGate.Dispose();
    }
}

/// <summary>Where one local replica stands. Changed only by its (non-reentrant) grain, read by status calls.</summary>
public sealed class ReplicaPosition
{
    /// <summary>Highest epoch seen; shipped writes from older epochs are refused.</summary>
    public long Epoch { get; set; }

    /// <summary>Last write applied (the shard log position).</summary>
    public long Sequence { get; set; }

    /// <summary>Holds every write up to <see cref="Sequence"/>.</summary>
    public bool Synced { get; set; }
}

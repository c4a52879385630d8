using System.Collections.Concurrent;

namespace VectorDb.Cluster.Hosting;

/// <summary>
/// This silo's shards: one embedded <see cref="VectorDatabase"/> in the silo's data folder, holding one engine
/// collection per shard replica (<c>collection-sN</c>), each replica's replication position and its log tail, both
/// durable beside the shards (<see cref="ReplicaPosition"/> in <c>cluster-positions/</c>, <see cref="DurableShardLog"/>
/// in <c>cluster-log/</c>), so a replica whose silo restarts knows which writes it holds and can catch up from a
/// primary's tail, and a primary that restarts can still ship its tail; a restarted replica serves nothing and accepts
/// no shipped write until it has caught up (or been fully re-synced).
/// </summary>
public sealed class LocalShards(string dataDirectory, DatabaseOptions? options = null, int tailBytes = LocalShards.DefaultTailBytes) : IAsyncDisposable
{
    /// <summary>Default bound of each shard's log tail on disk (64 MiB).</summary>
    public const int DefaultTailBytes = 64 << 20;

    private readonly SemaphoreSlim _openGate = new(1, 1);
    private readonly ConcurrentDictionary<string, ReplicaPosition> _positions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DurableShardLog> _tails = new(StringComparer.Ordinal);
    private VectorDatabase? _database;
    private bool _ownsDatabase = true;

    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The shards of <paramref name="database"/>, which the caller opened and closes (the server in cluster
    /// mode: its health checks, limits and final checkpoint then cover the shards too).</summary>
    /// <param name="database">The open database in this silo's data folder.</param>
    /// <param name="tailBytes">Bound of each shard's log tail on disk, in bytes.</param>
    public static LocalShards Of(VectorDatabase database, int tailBytes = DefaultTailBytes)
    {
        ArgumentNullException.ThrowIfNull(database);
        return new LocalShards(database.DataDirectory, null, tailBytes) { _database = database, _ownsDatabase = false };
    }

    private string PositionsDirectory => Path.Combine(DataDirectory, "cluster-positions");

    private string LogsDirectory => Path.Combine(DataDirectory, "cluster-log");

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

    /// <summary>The replication position of a local shard replica: as last saved on disk (complete, not synced) after a
    /// restart, else new (epoch 0, not complete).</summary>
    public ReplicaPosition Position(string localName) =>
        _positions.GetOrAdd(localName, name => ReplicaPosition.Load(Path.Combine(PositionsDirectory, name + ".position")));

    /// <summary>The shard's recent writes, as applied here (for catching up a replica that missed only a few), opened
    /// from disk on first use.</summary>
    public DurableShardLog Tail(string localName) =>
        _tails.GetOrAdd(localName, name => new DurableShardLog(Path.Combine(LogsDirectory, name), tailBytes));

    public async ValueTask DisposeAsync()
    {
        if (_database is { } database && _ownsDatabase)
        {
            await database.DisposeAsync().ConfigureAwait(false);
        }
        _openGate.Dispose();
    }
}

using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;

namespace VectorDb.Cluster.Tests.Support;

/// <summary>
/// An ingest that goes on while silos die: batches are sent with consistency all, the points of the shards that
/// acknowledged are recorded, and the rest of each batch is queued to be sent again (a call that failed whole counts
/// as no shard acknowledging). What the kill tests count "0 acknowledged writes lost" against.
/// </summary>
internal sealed class RetryingIngest(IClusterCoordinatorGrain coordinator, string collection, int shards, IEnumerable<ClusterPoint[]> batches)
{
    private readonly Queue<ClusterPoint[]> _pending = new(batches);

    /// <summary>Ids acknowledged so far.</summary>
    public HashSet<PointId> Acknowledged { get; } = [];

    /// <summary>Calls made so far.</summary>
    public int Calls { get; private set; }

    /// <summary>Shard parts refused and queued again.</summary>
    public int FailedParts { get; private set; }

    public bool Done => _pending.Count == 0;

    /// <summary>Sends the next batch; returns it and the shards that acknowledged their part.</summary>
    public async Task<(ClusterPoint[] Batch, HashSet<int> AcknowledgedShards)> SendNextAsync()
    {
        var batch = _pending.Dequeue();
        Calls++;
        ClusterWriteResult result;
        try
        {
            result = await coordinator.Upsert(collection, batch, WriteConsistency.All);
        }
        catch (Exception e) when (e is Orleans.Runtime.OrleansException or TimeoutException)
        {
            result = new ClusterWriteResult([], [.. Enumerable.Range(0, shards)], [e.Message]);
        }
        var done = result.AcknowledgedShards.ToHashSet();
        Acknowledged.UnionWith(batch.Where(p => done.Contains(ShardRouting.ShardOf(p.Id, shards))).Select(p => p.Id));
        var retry = batch.Where(p => !done.Contains(ShardRouting.ShardOf(p.Id, shards))).ToArray();
        if (retry.Length > 0)
        {
            FailedParts += result.FailedShards.Length;
            _pending.Enqueue(retry);
            await Task.Delay(100);
        }
        return (batch, done);
    }
}

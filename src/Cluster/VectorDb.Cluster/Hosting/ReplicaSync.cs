using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;

namespace VectorDb.Cluster.Hosting;

/// <summary>
/// Brings one replica of a shard up to date from its primary, driven from outside the primary's grain so that a full
/// copy does not hold the shard's writes: <see cref="IShardReplicaGrain.StartSync"/> (a catch-up from the tail ends
/// there), then chunks read from the primary while writes go on (<see cref="IShardReplicaGrain.ExportChunk"/>, each
/// under Orleans' message limit) and imported by the target, then <see cref="IShardReplicaGrain.FinishSync"/> ships
/// the writes made meanwhile from the primary's log tail and adds the target to the in-sync set. Writes to the shard
/// wait only during the first and the last step (the catch-up, or the writes made during the copy).
/// </summary>
internal static class ReplicaSync
{
    public static async Task RunAsync(IShardReplicaGrain primary, IShardReplicaGrain target, long epoch, string targetSilo, int chunk)
    {
        if (await primary.StartSync(epoch, targetSilo) is not { } start)
        {
            return; // caught up (or already in sync)
        }
        PointId? from = null;
        while (true)
        {
            var page = await primary.ExportChunk(epoch, from, chunk);
            if (page.Points.Length > 0)
            {
                await target.ImportChunk(epoch, page.Points);
            }
            if (page.NextFrom is not { } next)
            {
                break;
            }
            from = next;
        }
        await primary.FinishSync(epoch, targetSilo, start);
    }
}

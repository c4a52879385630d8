using VectorDb.Cluster.Contracts;

namespace VectorDb.Cluster.Grains;

/// <summary>Exact merge of per-shard top-k lists: the best k overall, ties to the smaller id (the engine's own order,
/// so a merged search over shards equals one search over their union when each shard's list is its exact top k).</summary>
public static class ShardMerge
{
    public static ClusterHit[] TopK(IEnumerable<ClusterHit[]> perShard, int k, bool smallerIsBetter)
    {
        var all = perShard.SelectMany(h => h);
        var ordered = smallerIsBetter
            ? all.OrderBy(h => h.Score).ThenBy(h => h.Id)
            : all.OrderByDescending(h => h.Score).ThenBy(h => h.Id);
        return [.. ordered.Take(k)];
    }
}

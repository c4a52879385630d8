using VectorDb.Tests.Support;
using VectorDb.Cluster.Contracts;
using VectorDb.Datasets;

namespace VectorDb.Cluster.Tests.Support;

/// <summary>The repository's 20k GloVe slice as cluster points: id = row, payload {"row": id}.</summary>
public static class GlovePoints
{
    public static ClusterPoint[] Load(int count = int.MaxValue)
    {
        VectorSet rows = GloveSlice.Base();
        return [.. Enumerable.Range(0, Math.Min(count, rows.Count)).Select(i => new ClusterPoint((ulong)i, rows.Row(i).ToArray(), $$"""{"row":{{i}}}"""))];
    }
}

namespace VectorDb.Cluster;

/// <summary>The Orleans grain storage provider that holds shard maps and the catalog.</summary>
public static class ClusterStorage
{
    public const string Name = "vectordb-maps";
}

namespace VectorDb.Cluster.Hosting;

/// <summary>Timing of the cluster's own machinery (membership timing is Orleans' ClusterMembershipOptions).</summary>
public sealed class ClusterSiloOptions
{
    /// <summary>How long a shard may stay below R in-sync replicas before a new replica is built on another silo
    /// (so that a silo that restarts quickly is not replaced at once).</summary>
    public TimeSpan ReReplicationGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the supervisor looks at the maps.</summary>
    public TimeSpan SupervisorInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a primary waits for a replica to acknowledge a shipped write before removing it from the
    /// in-sync set.</summary>
    public TimeSpan ReplicaAckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Points per full-sync chunk (kept well under Orleans' message size limit).</summary>
    public int FullSyncChunk { get; set; } = 512;
}

using VectorDb.Cluster.Contracts;

namespace VectorDb.Server.Clustering;

/// <summary>What the silo's gRPC front end applies to requests that the single-node API has no field for.</summary>
/// <param name="Shards">Shards of a collection created through the API (S, fixed at creation).</param>
/// <param name="Replicas">Replicas per shard of a collection created through the API (R).</param>
/// <param name="Consistency">Consistency of every write made through the API.</param>
internal sealed record ClusterApiOptions(int Shards, int Replicas, WriteConsistency Consistency);

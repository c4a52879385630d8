using System.Text.Json.Nodes;
using VectorDb.Cluster.Contracts;

namespace VectorDb.Server.Clustering;

/// <summary>The engine's search and point types ↔ the cluster's wire types, shared by vectordb.v1's and Qdrant's
/// cluster paths.</summary>
internal static class ClusterSearchMapping
{
    /// <summary>The shard request of an engine search: every option travels unchanged.</summary>
    public static ShardSearchRequest ToShard(SearchRequest request) =>
        new(request.Vector.ToArray(), request.K, request.Exact, request.Rerank.ToString(), request.Oversampling,
            request.NProbe, request.WithPayload, request.Filter, request.WithVector, request.ScoreThreshold);

    public static ScoredPoint ToEngine(ClusterHit hit) => new(hit.Id, hit.Score, Payload(hit.PayloadJson), hit.Vector);

    public static RetrievedPoint ToEngine(ClusterRecord record) => new(record.Id, Payload(record.PayloadJson), record.Vector);

    public static ClusterPoint ToCluster(PointInput point) => new(point.Id, point.Vector.ToArray(), point.Payload?.ToJsonString());

    public static JsonObject? Payload(string? json) => json is null ? null : JsonNode.Parse(json)!.AsObject();
}

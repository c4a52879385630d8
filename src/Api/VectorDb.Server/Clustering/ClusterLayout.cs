using VectorDb.Cluster.Contracts;
using VectorDb.Server.Backend;

namespace VectorDb.Server.Clustering;

/// <summary>
/// A clustered collection's layout from a client's request: shards S, replicas R and the default write consistency,
/// each defaulting to the node's options (<c>--shards</c>, <c>--replicas</c>, <c>--consistency</c>). The
/// consistency is persisted in the collection's map (<see cref="ClusterCollectionSpec.WriteConsistency"/>); S and R
/// are checked here against the spec's bounds and by the coordinator against the live silos (R ≤ active silos).
/// </summary>
internal static class ClusterLayout
{
    /// <summary>The spec of a new collection: <paramref name="config"/> laid out per <paramref name="layout"/>.</summary>
    /// <exception cref="ArgumentException">A field out of range, or a consistency factor that is not 1, ⌊R/2⌋+1 or R.</exception>
    public static ClusterCollectionSpec Spec(CollectionConfig config, LayoutRequest? layout, ClusterApiOptions options)
    {
        int shards = Bounded(layout?.Shards, options.Shards, ClusterCollectionSpec.MaxShards);
        int replicas = Bounded(layout?.Replicas, options.Replicas, ClusterCollectionSpec.MaxReplicas);
        var consistency = options.Consistency;
        if (layout?.WriteConsistency is { } named)
        {
            consistency = ParseConsistency(named.Value, named.Field);
        }
        if (layout?.WriteConsistencyFactor is { } factor)
        {
            consistency = FromFactor(factor.Value, replicas, factor.Field);
        }
        return ClusterCollectionSpec.From(config, shards, replicas) with { WriteConsistency = consistency.ToString() };
    }

    /// <summary>The collection's write consistency: the one persisted in its map, else (maps made before it was
    /// persisted) the node's.</summary>
    public static WriteConsistency Consistency(ClusterCollectionSpec spec, ClusterApiOptions options) =>
        spec.WriteConsistency is { } persisted ? Enum.Parse<WriteConsistency>(persisted) : options.Consistency;

    /// <summary><c>all</c>, <c>majority</c> or <c>one</c> (any case).</summary>
    public static WriteConsistency ParseConsistency(string value, string field) => value.ToLowerInvariant() switch
    {
        "all" => WriteConsistency.All,
        "majority" => WriteConsistency.Majority,
        "one" => WriteConsistency.One,
        _ => throw new ArgumentException($"{field} is '{Bounded(value)}'; use all, majority or one.", field),
    };

    /// <summary>Copies that hold a write before it is acknowledged with <paramref name="consistency"/> when every
    /// one of the <paramref name="replicas"/> is in sync (Qdrant's <c>write_consistency_factor</c>).</summary>
    public static int CopiesAcknowledged(WriteConsistency consistency, int replicas) => consistency switch
    {
        WriteConsistency.All => replicas,
        WriteConsistency.Majority => (replicas / 2) + 1,
        _ => 1,
    };

    /// <summary>The name of a vectordb.v1 consistency (null: unset, the collection's or the node's).</summary>
    public static string? Name(Api.V1.WriteConsistency consistency) => consistency switch
    {
        Api.V1.WriteConsistency.Default => null,
        Api.V1.WriteConsistency.All => "all",
        Api.V1.WriteConsistency.Majority => "majority",
        Api.V1.WriteConsistency.One => "one",
        _ => throw new ArgumentException($"write consistency {consistency} is unknown; use ALL, MAJORITY or ONE.", nameof(consistency)),
    };

    public static Api.V1.WriteConsistency ToProto(WriteConsistency consistency) => consistency switch
    {
        WriteConsistency.All => Api.V1.WriteConsistency.All,
        WriteConsistency.Majority => Api.V1.WriteConsistency.Majority,
        _ => Api.V1.WriteConsistency.One,
    };

    private static WriteConsistency FromFactor(long factor, int replicas, string field) =>
        factor == replicas ? WriteConsistency.All
        : factor == 1 ? WriteConsistency.One
        : factor == (replicas / 2) + 1 ? WriteConsistency.Majority
        : throw new ArgumentException(
            $"{field} is {factor}; with {replicas} replicas VectorDb acknowledges a write after 1 (one), {(replicas / 2) + 1} (majority) or {replicas} (all) copies.", field);

    private static int Bounded((long Value, string Field)? asked, int byDefault, int max) => asked switch
    {
        null => byDefault,
        { Value: >= 1 } a when a.Value <= max => (int)a.Value,
        { } a => throw new ArgumentOutOfRangeException(a.Field, a.Value, $"{a.Field} must be 1..{max}."),
    };

    private static string Bounded(string text) => text.Length <= 32 ? text : text[..32] + "…";
}

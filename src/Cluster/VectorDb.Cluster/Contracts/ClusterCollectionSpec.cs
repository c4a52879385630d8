
namespace VectorDb.Cluster.Contracts;

/// <summary>
/// A clustered collection's definition: the engine configuration every shard is created with (the same rotation and
/// clustering seeds on every shard) plus the shard count S (fixed at creation: no re-sharding) and replicas per shard R.
/// Enums travel as their names so that the wire form does not depend on enum numbering. <see cref="WriteConsistency"/>
/// is the collection's default write consistency (a <see cref="Contracts.WriteConsistency"/> name; null in maps
/// persisted before it existed: the node's default applies).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClusterCollectionSpec(
    [property: Id(0)] int Dimension,
    [property: Id(1)] string Metric,
    [property: Id(2)] string Scheme,
    [property: Id(3)] int Bits,
    [property: Id(4)] string Originals,
    [property: Id(5)] string Index,
    [property: Id(6)] int NList,
    [property: Id(7)] ulong RotationSeed,
    [property: Id(8)] ulong ClusteringSeed,
    [property: Id(9)] int CodeFormat,
    [property: Id(10)] int Shards,
    [property: Id(11)] int Replicas,
    [property: Id(12)] int RotationRounds = 0,
    [property: Id(13)] string? WriteConsistency = null)
{
    /// <summary>Largest shard count accepted (a shard is a directory and a grain per replica).</summary>
    public const int MaxShards = 256;

    /// <summary>Largest replica count accepted.</summary>
    public const int MaxReplicas = 5;

    /// <summary>The spec of <paramref name="config"/> split into <paramref name="shards"/> shards of
    /// <paramref name="replicas"/> replicas.</summary>
    public static ClusterCollectionSpec From(CollectionConfig config, int shards, int replicas)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ClusterCollectionSpec(config.Dimension, config.Metric.ToString(), config.Scheme.Id(), config.Bits,
            config.Originals.ToString(), config.Index.ToString(), config.NList, config.RotationSeed, config.ClusteringSeed,
            config.CodeFormat, shards, replicas, config.RotationRounds);
    }

    /// <summary>The engine configuration of every shard. <see cref="RotationRounds"/> 0 (maps persisted before the field
    /// existed) means the engine's default.</summary>
    public CollectionConfig ToConfig() =>
        new(Dimension, Enum.Parse<Metric>(Metric), QuantizerSchemes.Parse(Scheme), Bits,
            Enum.Parse<OriginalsFormat>(Originals), Enum.Parse<IndexLayout>(Index), NList, RotationSeed,
            RotationRounds == 0 ? CollectionConfig.DefaultRotationRounds : RotationRounds, ClusteringSeed)
        { CodeFormat = CodeFormat };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate(EngineLimits limits)
    {
        if (Shards is < 1 or > MaxShards)
        {
            throw new ArgumentOutOfRangeException(nameof(Shards), Shards, $"shards must be 1..{MaxShards}.");
        }
        if (Replicas is < 1 or > MaxReplicas)
        {
            throw new ArgumentOutOfRangeException(nameof(Replicas), Replicas, $"replicas must be 1..{MaxReplicas}.");
        }
        if (WriteConsistency is not null && !(Enum.TryParse<Contracts.WriteConsistency>(WriteConsistency, out var parsed) && Enum.IsDefined(parsed)))
        {
            throw new ArgumentException($"write consistency '{WriteConsistency}' is not All, Majority or One.", nameof(WriteConsistency));
        }
        if (Originals != nameof(OriginalsFormat.Float32))
        {
            // A full sync copies a shard through its stored originals; anything narrower would change the vectors.
            throw new ArgumentException("clustered collections keep float32 originals (a full sync copies shards through them).", nameof(Originals));
        }
        ToConfig().Validate(limits);
    }
}

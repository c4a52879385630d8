using System.Globalization;

namespace VectorDb.Cluster.Grains;

/// <summary>The key of a shard replica grain: <c>collection|shard|silo</c> (collection names cannot hold '|'; the
/// silo is <c>SiloAddress.ToParsableString()</c>, which cannot either).</summary>
public readonly record struct ShardReplicaKey(string Collection, int Shard, string Silo)
{
    private const char Separator = '|';

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Collection}{Separator}{Shard}{Separator}{Silo}");

    public static ShardReplicaKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split(Separator);
        if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int shard))
        {
            throw new FormatException($"'{key}' is not a shard replica key (collection|shard|silo).");
        }
        return new ShardReplicaKey(parts[0], shard, parts[2]);
    }

    /// <summary>The engine collection that holds this shard on its silo.</summary>
    public string LocalName => LocalShardName(Collection, Shard);

    /// <summary><c>collection-sN</c>: a valid engine name for any cluster name of at most
    /// <see cref="MaxCollectionNameLength"/> characters.</summary>
    public static string LocalShardName(string collection, int shard) =>
        string.Create(CultureInfo.InvariantCulture, $"{collection}-s{shard}");

    /// <summary>Engine names hold 64 characters; "-s255" takes 5.</summary>
    public const int MaxCollectionNameLength = 59;
}

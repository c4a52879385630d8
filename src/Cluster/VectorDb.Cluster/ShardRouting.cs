using System.Buffers.Binary;

namespace VectorDb.Cluster;

/// <summary>
/// Which shard a point lives in: <c>FNV-1a 64 over the id's bytes, mod S</c>. The hash is defined over bytes (an
/// integer id is its 8 little-endian bytes) so that UUID ids route through the same
/// function over their 16 bytes (in RFC 4122 order: the big-endian bytes of the canonical text, so the shard of a UUID
/// does not depend on .NET's mixed-endian <see cref="Guid"/> layout). The function's name is persisted in every shard map (<see cref="FunctionName"/>):
/// changing it would move points between shards, so a map naming another function is refused.
/// </summary>
public static class ShardRouting
{
    /// <summary>Persisted with each collection's shard map.</summary>
    public const string FunctionName = "fnv1a64-le-mod";

    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>The shard (0..<paramref name="shardCount"/>-1) of an integer id.</summary>
    public static int ShardOf(ulong id, int shardCount)
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, id);
        return ShardOf(bytes, shardCount);
    }

    /// <summary>The shard (0..<paramref name="shardCount"/>-1) of an integer or UUID id.</summary>
    public static int ShardOf(PointId id, int shardCount)
    {
        if (!id.IsUuid)
        {
            return ShardOf(id.Number, shardCount);
        }
        Span<byte> bytes = stackalloc byte[16];
        id.Uuid.TryWriteBytes(bytes, bigEndian: true, out _);
        return ShardOf(bytes, shardCount);
    }

    /// <summary>The shard (0..<paramref name="shardCount"/>-1) of an id given as its bytes.</summary>
    public static int ShardOf(ReadOnlySpan<byte> idBytes, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        return (int)(Fnv1a64(idBytes) % (ulong)shardCount);
    }

    /// <summary>FNV-1a, 64-bit (offset basis 14695981039346656037, prime 1099511628211).</summary>
    public static ulong Fnv1a64(ReadOnlySpan<byte> bytes)
    {
        ulong hash = FnvOffset;
        foreach (byte b in bytes)
        {
            hash = unchecked((hash ^ b) * FnvPrime);
        }
        return hash;
    }
}

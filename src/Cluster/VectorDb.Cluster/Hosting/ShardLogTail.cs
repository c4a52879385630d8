using VectorDb.Cluster.Contracts;

namespace VectorDb.Cluster.Hosting;

/// <summary>
/// The last writes a shard replica applied, in sequence order, bounded by an estimate of their size in bytes (the
/// oldest are dropped first). A primary ships the part after a returning replica's position from here instead of
/// copying the whole shard, when the tail still reaches back that far. Changed only by the replica's
/// (non-reentrant) grain.
/// </summary>
public sealed class ShardLogTail(long maxBytes)
{
    private readonly LinkedList<(long Sequence, ShardWrite Write, long Bytes)> _writes = new();
    private long _bytes;

    /// <summary>Appends write <paramref name="sequence"/> (one after the last held; a gap clears the tail first).</summary>
    public void Append(long sequence, ShardWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (_writes.Last is { } last && last.Value.Sequence != sequence - 1)
        {
            Clear();
        }
        long bytes = SizeOf(write);
        _writes.AddLast((sequence, write, bytes));
        _bytes += bytes;
        while (_bytes > maxBytes && _writes.First is { } oldest)
        {
            _bytes -= oldest.Value.Bytes;
            _writes.RemoveFirst();
        }
    }

    /// <summary>The writes after <paramref name="after"/> up to <paramref name="last"/> (the shard's current position),
    /// or null when the tail no longer holds all of them.</summary>
    public IReadOnlyList<(long Sequence, ShardWrite Write)>? After(long after, long last)
    {
        if (after == last)
        {
            return [];
        }
        if (after > last || _writes.First is not { } first || first.Value.Sequence > after + 1 || _writes.Last!.Value.Sequence != last)
        {
            return null;
        }
        return [.. _writes.Where(w => w.Sequence > after).Select(w => (w.Sequence, w.Write))];
    }

    public void Clear()
    {
        _writes.Clear();
        _bytes = 0;
    }

    /// <summary>Rough bytes held: 4 per coordinate, the payload's characters, 16 per id.</summary>
    private static long SizeOf(ShardWrite write) =>
        write.Upserts.Sum(p => (4L * p.Vector.Length) + (p.PayloadJson?.Length ?? 0) + 16) + (16L * write.Deletes.Length) + 64;
}

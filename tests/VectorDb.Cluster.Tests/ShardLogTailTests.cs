using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Hosting;

namespace VectorDb.Cluster.Tests;

/// <summary>The primary's in-memory log tail: what it can ship to a returning replica, and when it must refuse
/// (the replica then gets a full sync).</summary>
public sealed class ShardLogTailTests
{
    /// <summary>One upsert of one 100-dimension point: 400 + 16 + 64 bytes by the tail's estimate.</summary>
    private static ShardWrite Write(ulong id) => new([new ClusterPoint(id, new float[100])], []);

    [Fact]
    public void The_writes_after_a_position_come_back_in_order_while_the_tail_reaches_back_to_it()
    {
        var tail = new ShardLogTail(maxBytes: 1 << 20);
        for (long sequence = 1; sequence <= 10; sequence++)
        {
            tail.Append(sequence, Write((ulong)sequence));
        }
        Assert.Equal([8L, 9, 10], tail.After(7, 10)!.Select(w => w.Sequence));
        Assert.Equal(8UL, tail.After(7, 10)![0].Write.Upserts[0].Id.Number);
        Assert.Equal(10, tail.After(0, 10)!.Count);
        Assert.Empty(tail.After(10, 10)!);
        Assert.Null(tail.After(11, 10)); // a replica ahead of the primary is not caught up
        Assert.Null(tail.After(7, 11)); // the tail must end at the primary's position
    }

    [Fact]
    public void Old_writes_are_dropped_past_the_byte_bound_and_a_gap_clears_the_tail()
    {
        var tail = new ShardLogTail(maxBytes: 3 * 480);
        for (long sequence = 1; sequence <= 10; sequence++)
        {
            tail.Append(sequence, Write((ulong)sequence));
        }
        Assert.Equal([8L, 9, 10], tail.After(7, 10)!.Select(w => w.Sequence));
        Assert.Null(tail.After(6, 10)); // write 7 is gone: full sync

        tail.Append(12, Write(12)); // 11 never came: nothing before 12 can be trusted to follow on
        Assert.Null(tail.After(9, 12));
        Assert.Equal([12L], tail.After(11, 12)!.Select(w => w.Sequence));
    }
}

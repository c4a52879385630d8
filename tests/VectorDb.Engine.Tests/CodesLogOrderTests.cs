using VectorDb.Engine;
using VectorDb.Index.Common;

namespace VectorDb.Engine.Tests;

/// <summary>
/// <see cref="CodesLogOrder"/> (open's re-ordering of originals from blob-log order to codes-log order): whatever the
/// arrival order, rows are added exactly once each, in codes-log order, each with the original that arrived for its id
/// (or none when its id never arrives); nothing waits when the orders agree. The oracle is the codes-log list itself.
/// </summary>
public sealed class CodesLogOrderTests
{
    private const int Points = 2000;
    private const int OriginalBytes = 12;

    public static TheoryData<string, ulong> Arrivals => new()
    {
        { "same order", 1 },
        { "blocks of 16 reversed", 2 }, // local disorder, as interleaved writers leave it
        { "full shuffle", 3 },
        { "reversed", 4 },
        { "every 9th missing", 5 },  // points without a blob
    };

    [Theory]
    [MemberData(nameof(Arrivals))]
    public void RowsAreAddedOnceInCodesLogOrder_WithTheirOwnOriginal(string arrival, ulong seed)
    {
        var rng = new SplitMix64(seed);
        // Codes-log order: distinct ids in a seeded random order, so that id order says nothing about it.
        var ids = Enumerable.Range(0, Points).Select(i => (ulong)i * 7919 + 3).ToList();
        Shuffle(ids, ref rng);
        var originals = ids.ToDictionary(id => id, id => OriginalOf(id));

        var order = Enumerable.Range(0, Points).ToList();
        switch (arrival)
        {
            case "blocks of 16 reversed": order = [.. order.Chunk(16).SelectMany(block => block.Reverse())]; break;
            case "full shuffle": Shuffle(order, ref rng); break;
            case "reversed": order.Reverse(); break;
            case "every 9th missing": order.RemoveAll(i => i % 9 == 4); break;
        }
        var added = new List<(int Index, byte[] Original)>();
        var rows = new CodesLogOrder(ids, (index, original) => added.Add((index, original.ToArray())));
        foreach (int position in order)
        {
            ulong id = ids[position];
            rows.Arrive(id, OriginalOf(id)); // a fresh array, as the pass's buffer is reused: the class must copy
        }
        rows.Finish();

        Assert.Equal(Enumerable.Range(0, Points), added.Select(a => a.Index));
        var arrived = order.ToHashSet();
        for (int i = 0; i < Points; i++)
        {
            Assert.Equal(arrived.Contains(i) ? originals[ids[i]] : [], added[i].Original);
        }
        if (arrival == "same order")
        {
            Assert.Equal(0, rows.MaxWaiting);
        }
        if (arrival == "blocks of 16 reversed")
        {
            Assert.Equal(15, rows.MaxWaiting); // the first 15 of each block wait for its last, which is row 0 of the block
        }
    }

    [Fact]
    public void RowsBeforeTheFirstGapAreAddedAsSoonAsTheirOriginalsArrive()
    {
        var ids = new List<ulong> { 10, 11, 12, 13 };
        var added = new List<int>();
        var rows = new CodesLogOrder(ids, (index, _) => added.Add(index));
        rows.Arrive(11, OriginalOf(11));
        Assert.Empty(added); // row 0 (id 10) is not there yet
        rows.Arrive(10, OriginalOf(10));
        Assert.Equal([0, 1], added);
        rows.Arrive(13, OriginalOf(13));
        Assert.Equal(2, rows.Added);
        rows.Finish(); // id 12 never arrived: added without an original, then 13
        Assert.Equal([0, 1, 2, 3], added);
    }

    private static byte[] OriginalOf(ulong id)
    {
        var rng = new SplitMix64(id);
        var bytes = new byte[OriginalBytes];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)rng.NextUInt64();
        }
        return bytes;
    }

    /// <summary>Seeded Fisher-Yates shuffle.</summary>
    private static void Shuffle<T>(List<T> items, ref SplitMix64 rng)
    {
        for (int i = 0; i < items.Count - 1; i++)
        {
            int j = i + rng.NextInt(items.Count - i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

using System.Buffers.Binary;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;

namespace VectorDb.Cluster.Tests;

public sealed class ShardRoutingTests
{
    [Theory]
    // Published FNV-1a 64 test vectors (Fowler/Noll/Vo reference test suite).
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void Fnv1a64_matches_the_reference_vectors(string text, ulong expected) =>
        Assert.Equal(expected, ShardRouting.Fnv1a64(System.Text.Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void An_integer_id_routes_as_its_eight_little_endian_bytes()
    {
        var bytes = new byte[8];
        for (ulong id = 0; id < 1000; id += 7)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, id * 0x9E3779B97F4A7C15UL);
            Assert.Equal(ShardRouting.ShardOf(bytes, 6), ShardRouting.ShardOf(id * 0x9E3779B97F4A7C15UL, 6));
        }
    }

    [Fact]
    public void A_uuid_id_routes_as_the_sixteen_bytes_of_its_canonical_text()
    {
        var random = new Random(1415);
        for (int i = 0; i < 200; i++)
        {
            var uuid = new Guid([.. Enumerable.Range(0, 16).Select(_ => (byte)random.Next(256))]);
            // The bytes in the order the text shows them (RFC 4122), read from the text itself, not from Guid's layout.
            byte[] rfc = Convert.FromHexString(uuid.ToString("N"));
            Assert.Equal(ShardRouting.ShardOf(rfc, 6), ShardRouting.ShardOf(VectorDb.PointId.FromUuid(uuid), 6));
        }
        Assert.Equal(ShardRouting.ShardOf(42UL, 6), ShardRouting.ShardOf(VectorDb.PointId.FromNumber(42), 6));
    }

    [Fact]
    public void Sequential_ids_spread_evenly_over_six_shards()
    {
        var counts = new int[6];
        for (ulong id = 0; id < 20_000; id++)
        {
            counts[ShardRouting.ShardOf(id, 6)]++;
        }
        // 20,000 / 6 = 3,333 per shard; a hash that clumps sequential ids would miss this by far.
        Assert.All(counts, c => Assert.InRange(c, 3_000, 3_700));
    }

    [Fact]
    public void Merge_equals_sorting_the_union_with_ties_to_the_smaller_id()
    {
        var random = new Random(14);
        for (int trial = 0; trial < 50; trial++)
        {
            // Scores drawn from a few values so that ties across shards are common.
            var shards = Enumerable.Range(0, 4).Select(s => Enumerable.Range(0, random.Next(0, 12))
                .Select(_ => new ClusterHit((ulong)random.Next(0, 1000) * 4 + (ulong)s, random.Next(0, 5) / 4f)).DistinctBy(h => h.Id).ToArray()).ToArray();
            foreach (bool smaller in new[] { false, true })
            {
                int k = random.Next(1, 20);
                var union = shards.SelectMany(h => h).ToList();
                union.Sort((a, b) => a.Score != b.Score ? (smaller ? a.Score.CompareTo(b.Score) : b.Score.CompareTo(a.Score)) : a.Id.CompareTo(b.Id));
                Assert.Equal(union.Take(k), ShardMerge.TopK(shards, k, smaller));
            }
        }
    }
}

using Grpc.Core;
using VectorDb.Tests.Support;
using VectorDb.Client;

namespace VectorDb.Server.Tests;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>vectordb.v1's Scroll through the .NET client on a real server: pages that follow next_page_offset visit
/// every point exactly once in id order (numbers ascending, then UUIDs by their canonical text), with the filter,
/// payload and vector options of REST's scroll.</summary>
public sealed class ScrollTests
{
    private static PointId Uuid(int i) => VectorDbClient.Id(Guid.Parse($"{i:x8}-0000-4000-8000-000000000000"));

    [Fact]
    public async Task Scroll_FollowsOffsets_OverNumbersAndUuids_WithFilterPayloadAndVectors()
    {
        await using var server = await InProcessServer.StartAsync();
        using var client = server.Client();
        await client.CreateCollectionAsync("s", 2, Distance.Euclid);
        var numbers = new ulong[] { 40, 3, 17, 9, 1000, 0, 21 };
        int[] uuids = [7, 2, 11, 5];
        var points = numbers.Select((n, i) => VectorDbClient.Point(VectorDbClient.Id(n), [n, 1f], new Dictionary<string, Value> { ["k"] = new() { IntegerValue = i % 3 } }))
            .Concat(uuids.Select((u, i) => VectorDbClient.Point(Uuid(u), [u, 2f], new Dictionary<string, Value> { ["k"] = new() { IntegerValue = (i + 1) % 3 } })))
            .ToList();
        await client.UpsertAsync("s", points);

        // Expected order, computed here: numbers ascending, then UUIDs by their text.
        var expected = numbers.Order().Select(n => VectorDbClient.Id(n).ToString())
            .Concat(uuids.Select(Uuid).OrderBy(id => id.Uuid, StringComparer.Ordinal).Select(id => id.ToString())).ToList();
        var seen = new List<string>();
        PointId? offset = null;
        int pages = 0;
        do
        {
            var page = await client.ScrollAsync("s", offset, limit: 3, withPayload: true, withVectors: true);
            Assert.InRange(page.Result.Count, 1, 3);
            foreach (var point in page.Result)
            {
                Assert.True(point.Payload.ContainsKey("k"));
                Assert.Equal(2, point.Vector.Data.Count);
                seen.Add(point.Id.ToString());
            }
            offset = page.NextPageOffset;
            pages++;
        }
        while (offset is not null);
        Assert.Equal(expected, seen);
        Assert.Equal(4, pages); // 11 points, 3 per page

        // Filter k == 1, default page (limit 0 = 10), no payload, no vectors.
        var filter = new Filter { Must = { new Condition { Field = new FieldCondition { Key = "k", Match = new Match { Integer = 1 } } } } };
        var filtered = await client.ScrollAsync("s", limit: 0, filter: filter, withPayload: false);
        int matching = numbers.Where((_, i) => i % 3 == 1).Count() + uuids.Where((_, i) => (i + 1) % 3 == 1).Count();
        Assert.Equal(matching, filtered.Result.Count);
        Assert.Null(filtered.NextPageOffset);
        Assert.All(filtered.Result, p => Assert.Empty(p.Payload));
        Assert.All(filtered.Result, p => Assert.Null(p.Vector));

        // An offset past the last id answers an empty last page; errors name what to fix.
        var past = await client.ScrollAsync("s", Uuid(0x7fffffff));
        Assert.Empty(past.Result);
        Assert.Null(past.NextPageOffset);
        var missing = await Assert.ThrowsAsync<RpcException>(() => client.ScrollAsync("nope"));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var badOffset = await Assert.ThrowsAsync<RpcException>(() => client.ScrollAsync("s", new PointId { Uuid = "not-a-uuid" }));
        Assert.Equal(StatusCode.InvalidArgument, badOffset.StatusCode);
        Assert.Contains("offset", badOffset.Status.Detail, StringComparison.Ordinal);
    }
}

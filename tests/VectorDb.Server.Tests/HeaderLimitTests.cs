using Grpc.Core;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;

namespace VectorDb.Server.Tests;

/// <summary>Issue 12, item 2 (header sizes): metadata above VectorDb:Connections:MaxRequestHeaderFieldBytes is refused
/// before any method runs, and the server keeps serving the same client.</summary>
public sealed class HeaderLimitTests
{
    [Fact]
    public async Task OversizedMetadata_IsRefused_ThenNormalCallsWork()
    {
        await using var server = await InProcessServer.StartAsync(new Dictionary<string, string?>
        {
            ["VectorDb:Connections:MaxRequestHeaderFieldBytes"] = "4096",
        });
        using var client = server.Client();
        await client.CreateCollectionAsync("h", 2, Distance.Dot);
        var big = new Metadata { { "x-big", new string('v', 8192) } };
        await Assert.ThrowsAnyAsync<RpcException>(() => client.Collections.CreateAsync(
            new CreateCollectionRequest { CollectionName = "never", Vectors = new VectorParams { Size = 2, Distance = Distance.Dot } }, big).ResponseAsync);
        Assert.Equal(["h"], await client.ListCollectionsAsync());
    }
}

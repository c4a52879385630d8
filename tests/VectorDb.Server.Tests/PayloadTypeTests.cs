using VectorDb.Tests.Support;
using VectorDb.Client;

namespace VectorDb.Server.Tests;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>Issue 15 point 6: a payload number keeps its type through the server: a double with no fraction (185.0)
/// comes back a double, an integer an integer.</summary>
public sealed class PayloadTypeTests
{
    [Fact]
    public async Task IntegralDouble_StaysDouble_IntegerStaysInteger()
    {
        await using var server = await InProcessServer.StartAsync();
        using var client = server.Client();
        await client.CreateCollectionAsync("p", 2, Distance.Cosine);
        var payload = new Dictionary<string, Value>
        {
            ["height"] = new() { DoubleValue = 185.0 },
            ["huge"] = new() { DoubleValue = 1e300 },
            ["negative_zero"] = new() { DoubleValue = -0.0 },
            ["fraction"] = new() { DoubleValue = 1.5 },
            ["count"] = new() { IntegerValue = 185 },
            ["nested"] = new() { ListValue = new ListValue { Values = { new Value { DoubleValue = 2.0 }, new Value { IntegerValue = 2 } } } },
        };
        await client.UpsertAsync("p", [VectorDbClient.Point(1, [1f, 0], payload)]);

        var back = (await client.GetAsync("p", [1UL])).Single().Payload;
        Assert.Equal(Value.KindOneofCase.DoubleValue, back["height"].KindCase);
        Assert.Equal(185.0, back["height"].DoubleValue);
        Assert.Equal(Value.KindOneofCase.DoubleValue, back["huge"].KindCase);
        Assert.Equal(1e300, back["huge"].DoubleValue);
        Assert.Equal(Value.KindOneofCase.DoubleValue, back["negative_zero"].KindCase);
        Assert.Equal(1.5, back["fraction"].DoubleValue);
        Assert.Equal(Value.KindOneofCase.IntegerValue, back["count"].KindCase);
        Assert.Equal(185, back["count"].IntegerValue);
        var nested = back["nested"].ListValue.Values;
        Assert.Equal(Value.KindOneofCase.DoubleValue, nested[0].KindCase);
        Assert.Equal(Value.KindOneofCase.IntegerValue, nested[1].KindCase);

        // An integer filter still matches the double that holds that integer (FieldValue.Matches).
        var filter = new Filter { Must = { new Condition { Field = new FieldCondition { Key = "height", Match = new Match { Integer = 185 } } } } };
        Assert.Equal(1UL, await client.CountAsync("p", filter));
    }
}

using System.Text.Json.Nodes;
using VectorDb.Api.V1;
using VectorDb.Client;

namespace VectorDb.Server.Tests;

/// <summary>The client's <see cref="PayloadJson"/> keeps each number's kind both ways, whether the JSON was parsed from
/// text or built from C# values: an integer stays integer_value, a double (185.0 included) double_value.</summary>
public sealed class PayloadJsonTests
{
    [Fact]
    public void ParsedJson_IntegersStayIntegers_FractionsAreDoubles()
    {
        var payload = PayloadJson.FromJson(JsonNode.Parse("""{"count": 185, "height": 185.0, "ratio": 1.5, "big": 1e300, "list": [2, 2.0]}""")!.AsObject());

        Assert.Equal(Value.KindOneofCase.IntegerValue, payload["count"].KindCase);
        Assert.Equal(185, payload["count"].IntegerValue);
        Assert.Equal(Value.KindOneofCase.DoubleValue, payload["height"].KindCase);
        Assert.Equal(Value.KindOneofCase.DoubleValue, payload["ratio"].KindCase);
        Assert.Equal(Value.KindOneofCase.DoubleValue, payload["big"].KindCase);
        Assert.Equal(Value.KindOneofCase.IntegerValue, payload["list"].ListValue.Values[0].KindCase);
        Assert.Equal(Value.KindOneofCase.DoubleValue, payload["list"].ListValue.Values[1].KindCase);
    }

    [Fact]
    public void JsonBuiltFromCSharpValues_KeepsTheirKinds_AndRoundTrips()
    {
        var json = new JsonObject { ["count"] = 185L, ["height"] = 185.0, ["single"] = 2.0f, ["name"] = "a", ["flag"] = true };

        var payload = PayloadJson.FromJson(json);
        Assert.Equal(Value.KindOneofCase.IntegerValue, payload["count"].KindCase);
        Assert.Equal(Value.KindOneofCase.DoubleValue, payload["height"].KindCase);
        Assert.Equal(Value.KindOneofCase.DoubleValue, payload["single"].KindCase);

        var map = new Google.Protobuf.Collections.MapField<string, Value>();
        map.Add(payload);
        var back = PayloadJson.ToJson(map)!;
        Assert.Equal("185", back["count"]!.ToJsonString());
        Assert.Equal("185.0", back["height"]!.ToJsonString());
        Assert.Equal(Value.KindOneofCase.DoubleValue, PayloadJson.FromJson(JsonNode.Parse(back.ToJsonString())!.AsObject())["height"].KindCase);
    }
}

using Google.Protobuf.Collections;
using Qdrant.Client.Grpc;
using VectorDb.Server.QdrantGrpc;

namespace VectorDb.Server.Tests;

/// <summary>The payload conversion of the Qdrant gRPC API relies on <c>qdrant.Value</c> and <c>vectordb.v1.Value</c>
/// sharing one wire format: every kind of value, nested, must come through as the JSON it means and back unchanged.</summary>
public sealed class QdrantGrpcPointsTests
{
    [Fact]
    public void Payload_EveryValueKind_RoundTripsThroughJson()
    {
        var payload = new MapField<string, Value>
        {
            ["null"] = new Value { NullValue = NullValue.NullValue },
            ["double"] = 2.5,
            ["integer"] = -7L,
            ["big"] = long.MaxValue,
            ["string"] = "héllo",
            ["bool"] = true,
            ["struct"] = new Value { StructValue = new Struct { Fields = { ["inner"] = new Value { ListValue = new ListValue { Values = { 1L, "two", false } } } } } },
            ["list"] = new Value { ListValue = new ListValue { Values = { new Value { StructValue = new Struct { Fields = { ["x"] = 0.125 } } } } } },
        };
        var json = QdrantGrpcPoints.Payload(payload, "payload");
        Assert.Equal(
            """{"null":null,"double":2.5,"integer":-7,"big":9223372036854775807,"string":"h\u00E9llo","bool":true,"struct":{"inner":[1,"two",false]},"list":[{"x":0.125}]}""",
            json!.ToJsonString());
        var back = new MapField<string, Value>();
        QdrantGrpcPoints.FromJson(json, back);
        Assert.Equal(payload, back);
    }

    [Fact]
    public void Payload_NonFiniteNumber_IsRefusedLikeVectorDbV1()
    {
        var payload = new MapField<string, Value> { ["x"] = double.NaN };
        var error = Assert.Throws<ArgumentException>(() => QdrantGrpcPoints.Payload(payload, "points[0]"));
        Assert.Contains("finite", error.Message, StringComparison.Ordinal);
    }
}

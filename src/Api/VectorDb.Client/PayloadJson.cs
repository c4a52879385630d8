using System.Text.Json.Nodes;
using Google.Protobuf.Collections;
using VectorDb.Api.V1;

namespace VectorDb.Client;

/// <summary>Payloads as <see cref="JsonObject"/>s: the proto <see cref="Value"/> map converted both ways, each number
/// keeping its kind (an integer_value is a JSON integer; a double_value keeps a fraction or exponent in its text, so
/// 185.0 reads back as a double).</summary>
public static class PayloadJson
{
    /// <summary>The payload as JSON (null when it is empty).</summary>
    /// <param name="payload">A raw payload map.</param>
    public static JsonObject? ToJson(MapField<string, Value> payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Count == 0)
        {
            return null;
        }
        var json = new JsonObject();
        foreach (var (key, value) in payload)
        {
            json[key] = ToJson(value);
        }
        return json;
    }

    /// <summary>JSON to a raw payload map (what <see cref="PointStruct.Payload"/> holds).</summary>
    /// <param name="json">A JSON object; its numbers without fraction or exponent become integers.</param>
    public static Dictionary<string, Value> FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var payload = new Dictionary<string, Value>(StringComparer.Ordinal);
        foreach (var (key, node) in json)
        {
            payload[key] = PayloadValues.FromJson(node);
        }
        return payload;
    }

    private static JsonNode? ToJson(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.DoubleValue => PayloadValues.DoubleNode(value.DoubleValue),
        Value.KindOneofCase.IntegerValue => JsonValue.Create(value.IntegerValue),
        Value.KindOneofCase.StringValue => JsonValue.Create(value.StringValue),
        Value.KindOneofCase.BoolValue => JsonValue.Create(value.BoolValue),
        Value.KindOneofCase.StructValue => new JsonObject(value.StructValue.Fields.Select(f => KeyValuePair.Create(f.Key, ToJson(f.Value)))),
        Value.KindOneofCase.ListValue => new JsonArray([.. value.ListValue.Values.Select(ToJson)]),
        _ => null,
    };
}

using System.Globalization;
using System.Text.Json;
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
            payload[key] = FromJson(node);
        }
        return payload;
    }

    private static JsonNode? ToJson(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.DoubleValue => DoubleNode(value.DoubleValue),
        Value.KindOneofCase.IntegerValue => JsonValue.Create(value.IntegerValue),
        Value.KindOneofCase.StringValue => JsonValue.Create(value.StringValue),
        Value.KindOneofCase.BoolValue => JsonValue.Create(value.BoolValue),
        Value.KindOneofCase.StructValue => new JsonObject(value.StructValue.Fields.Select(f => KeyValuePair.Create(f.Key, ToJson(f.Value)))),
        Value.KindOneofCase.ListValue => new JsonArray([.. value.ListValue.Values.Select(ToJson)]),
        _ => null,
    };

    /// <summary>A double whose JSON text says it is one (System.Text.Json writes 185.0 as "185").</summary>
    private static JsonNode DoubleNode(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return double.IsFinite(value) && text.AsSpan().IndexOfAny('.', 'E', 'e') < 0 ? JsonNode.Parse(text + ".0")! : JsonValue.Create(value);
    }

    /// <summary>True when the node was made from a C# double or float (not parsed from text).</summary>
    private static bool HoldsFloatingPoint(JsonValue value, out double number)
    {
        if (value.TryGetValue(out number))
        {
            return true;
        }
        bool isFloat = value.TryGetValue(out float single);
        number = single;
        return isFloat;
    }

    private static Value FromJson(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return new Value { NullValue = NullValue.NullValue };
            case JsonObject obj:
                var structValue = new Struct();
                foreach (var (key, child) in obj)
                {
                    structValue.Fields[key] = FromJson(child);
                }
                return new Value { StructValue = structValue };
            case JsonArray array:
                var list = new ListValue();
                list.Values.AddRange(array.Select(FromJson));
                return new Value { ListValue = list };
            case JsonValue number when HoldsFloatingPoint(number, out double d):
                return new Value { DoubleValue = d }; // a C# double, 185.0 included (its JSON text would read "185")
            default:
                var element = node.AsValue().TryGetValue(out JsonElement parsed) ? parsed : JsonSerializer.SerializeToElement(node);
                return element.ValueKind switch
                {
                    JsonValueKind.String => new Value { StringValue = element.GetString() },
                    JsonValueKind.True => new Value { BoolValue = true },
                    JsonValueKind.False => new Value { BoolValue = false },
                    JsonValueKind.Number when element.TryGetInt64(out long integer) => new Value { IntegerValue = integer },
                    JsonValueKind.Number => new Value { DoubleValue = element.GetDouble() },
                    _ => new Value { NullValue = NullValue.NullValue },
                };
        }
    }
}

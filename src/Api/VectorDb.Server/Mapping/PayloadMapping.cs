using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.Collections;
using VectorDb.Api.V1;

namespace VectorDb.Server.Mapping;

/// <summary>Payload values: proto <see cref="Value"/> maps ↔ JSON objects (the engine stores payloads as JSON).</summary>
internal static class PayloadMapping
{
    /// <summary>Deepest nesting of structs and lists accepted in a payload.</summary>
    private const int MaxDepth = 32;

    /// <summary>Proto payload → JSON object (null when empty).</summary>
    public static JsonObject? ToJson(MapField<string, Value> payload, string where)
    {
        if (payload.Count == 0)
        {
            return null;
        }
        var obj = new JsonObject();
        foreach (var (key, value) in payload)
        {
            obj[key] = ToJson(value, $"{where}.payload[\"{key}\"]", 0);
        }
        return obj;
    }

    /// <summary>One proto value → JSON (null for a null value).</summary>
    public static JsonNode? ToJson(Value value, string where) => ToJson(value, where, 0);

    private static JsonNode? ToJson(Value value, string where, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"{where}: payload nesting exceeds {MaxDepth} levels.", "payload");
        }
        switch (value.KindCase)
        {
            case Value.KindOneofCase.None:
            case Value.KindOneofCase.NullValue:
                return null;
            case Value.KindOneofCase.DoubleValue:
                if (!double.IsFinite(value.DoubleValue))
                {
                    throw new ArgumentException($"{where} is {value.DoubleValue}; JSON payload numbers must be finite.", "payload");
                }
                return DoubleNode(value.DoubleValue);
            case Value.KindOneofCase.IntegerValue:
                return JsonValue.Create(value.IntegerValue);
            case Value.KindOneofCase.StringValue:
                return JsonValue.Create(value.StringValue);
            case Value.KindOneofCase.BoolValue:
                return JsonValue.Create(value.BoolValue);
            case Value.KindOneofCase.StructValue:
                var obj = new JsonObject();
                foreach (var (key, child) in value.StructValue.Fields)
                {
                    obj[key] = ToJson(child, $"{where}.{key}", depth + 1);
                }
                return obj;
            case Value.KindOneofCase.ListValue:
                var array = new JsonArray();
                int i = 0;
                foreach (var child in value.ListValue.Values)
                {
                    array.Add(ToJson(child, $"{where}[{i++}]", depth + 1));
                }
                return array;
            default:
                throw new ArgumentException($"{where}: unknown value kind {value.KindCase}.", "payload");
        }
    }

    /// <summary>A JSON number that reads back as a double: System.Text.Json writes 185.0 as "185", which every reader
    /// (FromJson below, REST, filters) then takes for an integer; a fraction or exponent in the text keeps the type.</summary>
    private static JsonNode DoubleNode(double value)
    {
        string text = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return text.AsSpan().IndexOfAny('.', 'E', 'e') >= 0 ? JsonValue.Create(value) : JsonNode.Parse(text + ".0")!;
    }

    /// <summary>JSON object → proto payload map (integers that fit in int64 become integer_value).</summary>
    public static void FromJson(JsonObject? json, MapField<string, Value> into)
    {
        if (json is null)
        {
            return;
        }
        foreach (var (key, node) in json)
        {
            into[key] = FromJson(node);
        }
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

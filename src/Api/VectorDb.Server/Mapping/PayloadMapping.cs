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
                return PayloadValues.DoubleNode(value.DoubleValue);
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

    /// <summary>JSON object → proto payload map (integers that fit in int64 become integer_value).</summary>
    public static void FromJson(JsonObject? json, MapField<string, Value> into)
    {
        if (json is null)
        {
            return;
        }
        foreach (var (key, node) in json)
        {
            into[key] = PayloadValues.FromJson(node);
        }
    }
}

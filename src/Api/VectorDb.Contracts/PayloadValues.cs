using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VectorDb.Api.V1;

/// <summary>
/// Payload values between JSON and the proto <see cref="Value"/>, shared by the server (which stores payloads as JSON)
/// and the .NET client (which offers them as JSON). Each number keeps its kind: a JSON number written without fraction
/// or exponent that fits in 64 bits is an integer_value, any other a double_value; a node made from a C# double or float
/// is a double_value even when integral (185.0), and a double is written back with a fraction (185.0, not 185).
/// </summary>
public static class PayloadValues
{
    /// <summary>One JSON node as a proto value (null → null_value).</summary>
    /// <param name="node">A node parsed from text or built from C# values.</param>
    public static Value FromJson(JsonNode? node)
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
        }
        JsonValue value = node.AsValue();
        // A parsed node reads through its element (its text decides integer or double). Only a node built from a C#
        // value may hold a double: asked for a double, a parsed node converts any number, integers included.
        if (!value.TryGetValue(out JsonElement element))
        {
            if (HoldsFloatingPoint(value, out double number))
            {
                return new Value { DoubleValue = number };
            }
            element = JsonSerializer.SerializeToElement(node);
        }
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

    /// <summary>A JSON number that reads back as a double: System.Text.Json writes 185.0 as "185", which every reader
    /// then takes for an integer; a fraction or exponent in the text keeps the type. Non-finite values are returned as
    /// System.Text.Json holds them (they cannot be written as JSON; the server refuses them before this).</summary>
    /// <param name="value">The double.</param>
    public static JsonNode DoubleNode(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return double.IsFinite(value) && text.AsSpan().IndexOfAny('.', 'E', 'e') < 0
            ? JsonNode.Parse(text + ".0")!
            : JsonValue.Create(value);
    }

    /// <summary>True when the node was made from a C# double or float.</summary>
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
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace VectorDb.Server.Rest;

/// <summary>Reading the scalar parts of Qdrant's request JSON (ids, vectors, flags), with errors that name the field.</summary>
internal static class QdrantJson
{
    /// <summary>A point id: an unsigned integer or a UUID string.</summary>
    public static PointId Id(JsonNode? node, string where)
    {
        if (node is JsonValue value)
        {
            if (value.GetValueKind() == JsonValueKind.Number && value.TryGetValue(out ulong number))
            {
                return number;
            }
            if (value.GetValueKind() == JsonValueKind.String && Guid.TryParse(value.GetValue<string>(), out Guid uuid))
            {
                return uuid;
            }
        }
        throw new ArgumentException($"{where} is {Describe(node)}; a point id is an unsigned integer or a UUID string.", where);
    }

    /// <summary>A list of point ids.</summary>
    public static List<PointId> Ids(JsonNode? node, string where)
    {
        if (node is not JsonArray array)
        {
            throw new ArgumentException($"{where} must be an array of point ids, got {Describe(node)}.", where);
        }
        var ids = new List<PointId>(array.Count);
        for (int i = 0; i < array.Count; i++)
        {
            ids.Add(Id(array[i], $"{where}[{i}]"));
        }
        return ids;
    }

    /// <summary>A dense vector given as an array of numbers. Named vectors (an object) are refused unless the only
    /// name is "" (the default vector); sparse and multi-vectors are refused.</summary>
    public static float[] Vector(JsonNode? node, string where)
    {
        if (node is JsonObject named)
        {
            if (named.Count == 1 && named.TryGetPropertyValue("", out var unnamed))
            {
                return Vector(unnamed, where + "[\"\"]");
            }
            throw new UnsupportedException($"{where}: named, sparse or multi-vectors ({string.Join(", ", named.Select(p => $"'{p.Key}'"))})");
        }
        if (node is not JsonArray array)
        {
            throw new ArgumentException($"{where} must be an array of numbers, got {Describe(node)}.", where);
        }
        var vector = new float[array.Count];
        for (int j = 0; j < vector.Length; j++)
        {
            if (array[j] is JsonArray)
            {
                throw new UnsupportedException($"{where}: multi-vectors (an array of arrays)");
            }
            if (array[j] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue(out float x))
            {
                throw new ArgumentException($"{where}[{j}] is {Describe(array[j])}; every coordinate must be a number.", where);
            }
            vector[j] = x;
        }
        return vector;
    }

    /// <summary>An optional boolean (null when absent).</summary>
    public static bool? Bool(JsonObject body, string name, string where)
    {
        var node = body[name];
        if (node is null)
        {
            return null;
        }
        return node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? v.GetValue<bool>()
            : throw new ArgumentException($"{where}.{name} must be true or false, got {Describe(node)}.", name);
    }

    /// <summary>An optional non-negative integer (null when absent).</summary>
    public static long? Count(JsonObject body, string name, string where)
    {
        var node = body[name];
        if (node is null)
        {
            return null;
        }
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long n) && n >= 0
            ? n
            : throw new ArgumentException($"{where}.{name} must be a non-negative integer, got {Describe(node)}.", name);
    }

    /// <summary>An optional number (null when absent).</summary>
    public static double? Number(JsonObject body, string name, string where)
    {
        var node = body[name];
        if (node is null)
        {
            return null;
        }
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double x)
            ? x
            : throw new ArgumentException($"{where}.{name} must be a number, got {Describe(node)}.", name);
    }

    /// <summary>An optional object (null when absent or null).</summary>
    public static JsonObject? Object(JsonObject body, string name, string where) => body[name] switch
    {
        null => null,
        JsonObject o => o,
        var other => throw new ArgumentException($"{where}.{name} must be an object, got {Describe(other)}.", name),
    };

    /// <summary>Refuses a field that changes what a request means and is not served here (when set to anything but
    /// null).</summary>
    public static void Refuse(JsonObject body, string name, string where)
    {
        if (body[name] is not null)
        {
            throw new UnsupportedException($"{where}.{name}");
        }
    }

    /// <summary>The JSON of a node for an error message, capped.</summary>
    public static string Describe(JsonNode? node)
    {
        if (node is null)
        {
            return "missing or null";
        }
        string json = node.ToJsonString();
        return json.Length <= 64 ? json : json[..64] + "…";
    }

    /// <summary>An id as Qdrant writes it: a number, or the UUID's canonical string.</summary>
    public static JsonNode ToJson(PointId id) => id.IsUuid ? JsonValue.Create(id.Uuid.ToString("D")) : JsonValue.Create(id.Number);
}

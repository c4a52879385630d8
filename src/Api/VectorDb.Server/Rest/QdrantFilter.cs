using System.Text.Json;
using System.Text.Json.Nodes;

namespace VectorDb.Server.Rest;

/// <summary>
/// Qdrant's filter JSON → the engine's <see cref="Filter"/>: <c>must</c> / <c>should</c> / <c>must_not</c> (a
/// condition or a list), field conditions with <c>match</c> (<c>value</c>, <c>any</c>, <c>except</c>) or
/// <c>range</c> on dotted keys, <c>is_empty</c>, <c>is_null</c>, <c>has_id</c>, and filters nested as conditions.
/// Everything else (text and phrase match, geo, values_count, datetime ranges, <c>nested</c> array-of-object
/// conditions, <c>has_vector</c>, <c>min_should</c>) is refused with <see cref="UnsupportedException"/>.
/// Depth and size are bounded by <see cref="CompiledFilter"/> when the engine compiles the result.
/// </summary>
internal static class QdrantFilter
{
    private static readonly string[] s_unsupportedFieldConditions = ["geo_bounding_box", "geo_radius", "geo_polygon", "values_count", "datetime_range"];

    /// <summary>The filter, or null when <paramref name="node"/> is absent or JSON null.</summary>
    public static Filter? Parse(JsonNode? node, string where = "filter") => node is null ? null : ParseFilter(node, where, 0);

    private static Filter ParseFilter(JsonNode node, string where, int depth)
    {
        if (depth > CompiledFilter.MaxDepth)
        {
            throw new ArgumentException($"{where}: filters may nest at most {CompiledFilter.MaxDepth} levels deep.", "filter");
        }
        if (node is not JsonObject filter)
        {
            throw new ArgumentException($"{where} must be an object with must, should or must_not, got {QdrantJson.Describe(node)}.", "filter");
        }
        foreach (var (name, _) in filter)
        {
            if (name is not ("must" or "should" or "must_not" or "min_should"))
            {
                throw new ArgumentException($"{where}.{name} is not a filter clause; use must, should or must_not.", "filter");
            }
        }
        QdrantJson.Refuse(filter, "min_should", where);
        return new Filter(
            Conditions(filter["must"], where + ".must", depth),
            Conditions(filter["should"], where + ".should", depth),
            Conditions(filter["must_not"], where + ".must_not", depth));
    }

    private static List<Condition>? Conditions(JsonNode? node, string where, int depth) => node switch
    {
        null => null,
        JsonArray array => [.. array.Select((c, i) => ParseCondition(c, $"{where}[{i}]", depth))],
        _ => [ParseCondition(node, where, depth)],
    };

    private static Condition ParseCondition(JsonNode? node, string where, int depth)
    {
        if (node is not JsonObject condition)
        {
            throw new ArgumentException($"{where} must be a condition object, got {QdrantJson.Describe(node)}.", "filter");
        }
        if (condition.ContainsKey("must") || condition.ContainsKey("should") || condition.ContainsKey("must_not") || condition.ContainsKey("min_should"))
        {
            return new NestedCondition(ParseFilter(condition, where, depth + 1));
        }
        if (condition["has_id"] is { } hasId)
        {
            return new HasIdCondition(QdrantJson.Ids(hasId, where + ".has_id"));
        }
        if (condition["is_empty"] is { } isEmpty)
        {
            return new IsEmptyCondition(KeyOf(isEmpty, where + ".is_empty"));
        }
        if (condition["is_null"] is { } isNull)
        {
            return new IsNullCondition(KeyOf(isNull, where + ".is_null"));
        }
        foreach (string unsupported in (string[])["nested", "has_vector"])
        {
            QdrantJson.Refuse(condition, unsupported, where);
        }
        if (condition["key"] is null)
        {
            throw new ArgumentException(
                $"{where} is not a condition VectorDb knows ({QdrantJson.Describe(condition)}); use a field condition (key with match or range), is_empty, is_null, has_id or a nested filter.",
                "filter");
        }
        string key = KeyOf(condition, where);
        foreach (string unsupported in s_unsupportedFieldConditions)
        {
            QdrantJson.Refuse(condition, unsupported, where);
        }
        var match = condition["match"];
        var range = condition["range"];
        if ((match is null) == (range is null))
        {
            throw new ArgumentException($"{where}: the condition on '{key}' must set exactly one of match or range.", "filter");
        }
        return match is not null ? ParseMatch(key, match, where + ".match") : ParseRange(key, range!, where + ".range");
    }

    private static string KeyOf(JsonNode node, string where) =>
        node["key"] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new ArgumentException($"{where}.key must be a string naming a payload field (e.g. \"meta.year\").", "filter");

    private static Condition ParseMatch(string key, JsonNode node, string where)
    {
        if (node is not JsonObject match || match.Count != 1)
        {
            throw new ArgumentException($"{where} must be an object with exactly one of value, any or except.", "filter");
        }
        var (kind, operand) = match.First();
        return kind switch
        {
            "value" => new MatchCondition(key, Scalar(operand, where + ".value", allowBoolean: true)),
            "any" => new MatchAnyCondition(key, List(operand, where + ".any")),
            "except" => new MatchExceptCondition(key, List(operand, where + ".except")),
            "text" or "text_any" or "phrase" => throw new UnsupportedException($"{where}.{kind} (full-text match)"),
            _ => throw new ArgumentException($"{where}.{kind} is not a match kind; use value, any or except.", "filter"),
        };
    }

    private static List<FieldValue> List(JsonNode? node, string where) => node is JsonArray array
        ? [.. array.Select((v, i) => Scalar(v, $"{where}[{i}]", allowBoolean: false))]
        : throw new ArgumentException($"{where} must be an array of strings or integers.", "filter");

    private static FieldValue Scalar(JsonNode? node, string where, bool allowBoolean)
    {
        if (node is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.String:
                    return FieldValue.Of(v.GetValue<string>());
                case JsonValueKind.Number when v.TryGetValue(out long integer):
                    return FieldValue.Of(integer);
                case JsonValueKind.True or JsonValueKind.False when allowBoolean:
                    return FieldValue.Of(v.GetValue<bool>());
            }
        }
        throw new ArgumentException(
            $"{where} is {QdrantJson.Describe(node)}; match takes a string, an integer{(allowBoolean ? " or a boolean" : "")} (use range for other numbers).", "filter");
    }

    private static RangeCondition ParseRange(string key, JsonNode node, string where)
    {
        if (node is not JsonObject range)
        {
            throw new ArgumentException($"{where} must be an object with gt, gte, lt or lte.", "filter");
        }
        foreach (var (name, bound) in range)
        {
            if (name is not ("gt" or "gte" or "lt" or "lte"))
            {
                throw new ArgumentException($"{where}.{name} is not a range bound; use gt, gte, lt or lte.", "filter");
            }
            if (bound is JsonValue { } v && v.GetValueKind() == JsonValueKind.String)
            {
                throw new UnsupportedException($"{where}.{name}: datetime ranges");
            }
        }
        return new RangeCondition(key,
            QdrantJson.Number(range, "gt", where), QdrantJson.Number(range, "gte", where),
            QdrantJson.Number(range, "lt", where), QdrantJson.Number(range, "lte", where));
    }
}

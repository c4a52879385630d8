using System.Text.Json;

namespace VectorDb.Engine.Filtering;

/// <summary>
/// A point's payload flattened for filtering: every scalar reachable from the root, keyed by its dotted path
/// ("meta.year"). Arrays contribute each element under the array's path (so a match on "tags" tests every tag) and
/// arrays of objects are reached through the same dotted path ("authors.name"). Nulls are not indexed.
/// <para>Immutable; sorted by path (ordinal) so a lookup is a binary search. Kept in memory for every live point so
/// a filter is evaluated during the scan without touching disk.</para>
/// </summary>
public sealed class PayloadFields
{
    /// <summary>A point without payload.</summary>
    public static readonly PayloadFields Empty = new([], []);

    private readonly string[] _paths;
    private readonly FieldValue[] _values;

    private PayloadFields(string[] paths, FieldValue[] values)
    {
        _paths = paths;
        _values = values;
    }

    /// <summary>Number of indexed scalars.</summary>
    public int Count => _paths.Length;

    /// <summary>Flattens a payload given as UTF-8 JSON (an object; empty input gives <see cref="Empty"/>).</summary>
    /// <exception cref="ArgumentException">The bytes are not a JSON object.</exception>
    public static PayloadFields FromUtf8(ReadOnlyMemory<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            return Empty;
        }
        using var document = ParseObject(utf8Json);
        var entries = new List<KeyValuePair<string, FieldValue>>();
        Flatten(document.RootElement, "", entries);
        if (entries.Count == 0)
        {
            return Empty;
        }
        // Stable sort keeps array elements in their order under one path.
        var sorted = entries.OrderBy(e => e.Key, StringComparer.Ordinal).ToArray();
        return new PayloadFields(sorted.Select(e => e.Key).ToArray(), sorted.Select(e => e.Value).ToArray());
    }

    private static JsonDocument ParseObject(ReadOnlyMemory<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"payload is not valid JSON: {e.Message}", "payload", e);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new ArgumentException("payload must be a JSON object ({\"key\": value, ...}).", "payload");
        }
        return document;
    }

    /// <summary>The values stored under <paramref name="path"/> (empty when absent).</summary>
    public ReadOnlySpan<FieldValue> Get(string path)
    {
        int lo = 0, hi = _paths.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(_paths[mid], path) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        int end = lo;
        while (end < _paths.Length && string.Equals(_paths[end], path, StringComparison.Ordinal))
        {
            end++;
        }
        return _values.AsSpan(lo, end - lo);
    }

    private static void Flatten(JsonElement element, string path, List<KeyValuePair<string, FieldValue>> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, path.Length == 0 ? property.Name : path + "." + property.Name, into);
                }
                return;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, path, into);
                }
                return;
            case JsonValueKind.String when path.Length > 0:
                into.Add(new(path, FieldValue.Of(element.GetString()!)));
                return;
            case JsonValueKind.True or JsonValueKind.False when path.Length > 0:
                into.Add(new(path, FieldValue.Of(element.GetBoolean())));
                return;
            case JsonValueKind.Number when path.Length > 0:
                into.Add(new(path, element.TryGetInt64(out long integer) ? FieldValue.Of(integer) : FieldValue.Of(element.GetDouble())));
                return;
            default:
                return; // null (and scalars at the root, which a JSON object cannot have)
        }
    }
}

using System.Runtime.InteropServices;
using System.Text.Json;

namespace VectorDb;

/// <summary>
/// A point's payload flattened for filtering: every scalar reachable from the root, keyed by its dotted path
/// ("meta.year"). Arrays contribute each element under the array's path (so a match on "tags" tests every tag) and
/// arrays of objects are reached through the same dotted path ("authors.name"). Nulls are not values; the paths that
/// hold a null (directly or as an array element) are kept apart, for is_null.
/// <para>Immutable; sorted by path (ordinal) so a lookup is a binary search. Kept in memory for every live point so
/// a filter is evaluated during the scan without touching disk.</para>
/// </summary>
public sealed class PayloadFields
{
    /// <summary>A point without payload.</summary>
    public static readonly PayloadFields Empty = new([], [], []);

    private readonly string[] _paths;
    private readonly FieldValue[] _values;
    private readonly string[] _nullPaths; // sorted (ordinal), distinct; empty for most payloads

    private PayloadFields(string[] paths, FieldValue[] values, string[] nullPaths)
    {
        _paths = paths;
        _values = values;
        _nullPaths = nullPaths;
    }

    /// <summary>Number of indexed scalars.</summary>
    public int Count => _paths.Length;

    /// <summary>Flattens a payload given as UTF-8 JSON (an object; empty input gives <see cref="Empty"/>). Reads the
    /// bytes once with a <see cref="Utf8JsonReader"/> (no document is built); the fields are the same whether the
    /// bytes come from an upsert or from storage on reopen, since both go through here.</summary>
    /// <exception cref="ArgumentException">The bytes are not a JSON object. (A number beyond the range of a double
    /// is kept as ±infinity, as <see cref="Utf8JsonReader.GetDouble"/> reads it.)</exception>
    public static PayloadFields FromUtf8(ReadOnlyMemory<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            return Empty;
        }
        var entries = new List<Entry>();
        var nulls = new List<string>();
        try
        {
            Flatten(utf8Json.Span, entries, nulls);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"payload is not valid JSON: {e.Message}", "payload", e);
        }
        string[] nullPaths = nulls.Count == 0 ? [] : [.. nulls.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (entries.Count == 0 && nullPaths.Length == 0)
        {
            return Empty;
        }
        var sorted = CollectionsMarshal.AsSpan(entries);
        // By path, then by order of appearance (keeps array elements in their order under one path).
        sorted.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path) is var order and not 0 ? order : a.Sequence.CompareTo(b.Sequence));
        var paths = new string[sorted.Length];
        var values = new FieldValue[sorted.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            paths[i] = sorted[i].Path;
            values[i] = sorted[i].Value;
        }
        return new PayloadFields(paths, values, nullPaths);
    }

    /// <summary>True when <paramref name="path"/> holds a null (the value itself or an element of its array).</summary>
    public bool HasNull(string path) => Array.BinarySearch(_nullPaths, path, StringComparer.Ordinal) >= 0;

    /// <summary>True when <paramref name="path"/> holds a non-null scalar, or an object with a non-null scalar below it
    /// (so "meta" is not empty when "meta.lang" has a value).</summary>
    public bool HasValueAt(string path)
    {
        if (!Get(path).IsEmpty)
        {
            return true;
        }
        string prefix = path + ".";
        int at = LowerBound(prefix);
        return at < _paths.Length && _paths[at].StartsWith(prefix, StringComparison.Ordinal);
    }

    /// <summary>The values stored under <paramref name="path"/> (empty when absent).</summary>
    public ReadOnlySpan<FieldValue> Get(string path)
    {
        int lo = LowerBound(path);
        int end = lo;
        while (end < _paths.Length && string.Equals(_paths[end], path, StringComparison.Ordinal))
        {
            end++;
        }
        return _values.AsSpan(lo, end - lo);
    }

    /// <summary>The first index whose path is not below <paramref name="path"/> (ordinal).</summary>
    private int LowerBound(string path)
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
        return lo;
    }

    private readonly record struct Entry(string Path, FieldValue Value, int Sequence);

    /// <summary>
    /// Collects every scalar under its dotted path: a property's path is its container's path + "." + its name (just
    /// the name at the root or under a container whose path is empty); an array's elements share the array's path.
    /// Scalars whose path is empty and nulls are skipped. Reading to the end also validates the whole input (strict
    /// JSON, depth ≤ 64, nothing after the root object), as <see cref="JsonDocument"/> would.
    /// </summary>
    private static void Flatten(ReadOnlySpan<byte> utf8Json, List<Entry> into, List<string> nulls)
    {
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ArgumentException("payload must be a JSON object ({\"key\": value, ...}).", "payload");
        }
        // Open containers: their paths and whether each is an array (the root object is the bottom entry).
        var containers = new Stack<(string Path, bool IsArray)>();
        containers.Push(("", false));
        string property = "";
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString()!;
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    containers.Push((ValuePath(containers.Peek(), property), reader.TokenType == JsonTokenType.StartArray));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    containers.Pop();
                    break;
                case JsonTokenType.String:
                    Add(into, ValuePath(containers.Peek(), property), FieldValue.Of(reader.GetString()!));
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    Add(into, ValuePath(containers.Peek(), property), FieldValue.Of(reader.GetBoolean()));
                    break;
                case JsonTokenType.Number:
                    Add(into, ValuePath(containers.Peek(), property),
                        reader.TryGetInt64(out long integer) ? FieldValue.Of(integer) : FieldValue.Of(reader.GetDouble()));
                    break;
                case JsonTokenType.Null:
                    string nullPath = ValuePath(containers.Peek(), property);
                    if (nullPath.Length > 0)
                    {
                        nulls.Add(nullPath);
                    }
                    break;
                default:
                    break; // comments are not allowed by the reader's defaults
            }
        }
    }

    /// <summary>The path of the next value in <paramref name="container"/> (after property <paramref name="property"/>
    /// when the container is an object).</summary>
    private static string ValuePath((string Path, bool IsArray) container, string property) =>
        container.IsArray ? container.Path : container.Path.Length == 0 ? property : container.Path + "." + property;

    private static void Add(List<Entry> into, string path, FieldValue value)
    {
        if (path.Length > 0)
        {
            into.Add(new(path, value, into.Count));
        }
    }
}

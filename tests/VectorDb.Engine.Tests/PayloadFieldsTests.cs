using System.Text;
using System.Text.Json;

namespace VectorDb.Engine.Tests;

/// <summary>
/// <see cref="PayloadFields.FromUtf8"/> (a streaming reader) against an oracle written here over
/// <see cref="JsonDocument"/> from the documented rules: every scalar under its dotted path, array elements under the
/// array's path in order, objects in arrays through the same path, nulls and empty paths skipped.
/// </summary>
public sealed class PayloadFieldsTests
{
    public static TheoryData<string> Payloads =>
    [
        """{"a": 1, "b": "x", "c": true, "d": null, "e": 2.5}""",
        """{"meta": {"lang": "en", "year": 2001, "deep": {"x": [1, 2, {"y": false}]}}}""",
        """{"tags": ["z", "a", "z"], "tags2": [], "m": [[1, 2], [3]], "authors": [{"name": "b"}, {"name": "a", "n": null}]}""",
        """{"": 5, "x": {"": 6, "y": {"": 7}}, "": {"inner": 8}}""",
        """{"dup": 1, "dup": "two", "big": 9223372036854775807, "over": 9223372036854775808, "neg": -0.0, "e": 1e300, "inf": 1e400}""",
        """{"esc\"aped": "line\nbreak \u00e9", "b.c": 1, "b": {"c": 2}}""",
        """{}""",
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void FromUtf8_EqualsDocumentOracle(string json)
    {
        var fields = PayloadFields.FromUtf8(Encoding.UTF8.GetBytes(json));
        var expected = Oracle(json);
        Assert.Equal(expected.Sum(e => e.Value.Count), fields.Count);
        foreach (var (path, values) in expected)
        {
            Assert.Equal(values, fields.Get(path).ToArray());
        }
        Assert.True(fields.Get("absent").IsEmpty);
    }

    [Theory]
    [InlineData("""{"a": 1} x""")]
    [InlineData("""{"a": 1}{}""")]
    [InlineData("""{"a": }""")]
    [InlineData("""[1, 2]""")]
    [InlineData("""42""")]
    [InlineData("""{"a": 1,}""")]
    [InlineData("""{"a": 1 /* comment */}""")]
    public void FromUtf8_RejectsWhatIsNotAStrictJsonObject(string json) =>
        Assert.Throws<ArgumentException>(() => PayloadFields.FromUtf8(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void FromUtf8_RejectsNestingBeyondTheDefaultDepth()
    {
        // System.Text.Json's default maximum depth is 64: 100 levels are refused, 30 are read.
        static byte[] Nested(int depth) => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));
        Assert.Throws<ArgumentException>(() => PayloadFields.FromUtf8(Nested(100)));
        Assert.Equal(FieldValue.Of(1L), PayloadFields.FromUtf8(Nested(30)).Get(string.Join('.', Enumerable.Repeat("a", 30)))[0]);
    }

    /// <summary>Path → values in document order, by recursive descent over a parsed document.</summary>
    private static Dictionary<string, List<FieldValue>> Oracle(string json)
    {
        using var document = JsonDocument.Parse(json);
        var result = new Dictionary<string, List<FieldValue>>(StringComparer.Ordinal);
        void Visit(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    Visit(property.Value, path == "" ? property.Name : $"{path}.{property.Name}");
                }
                return;
            }
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Visit(item, path);
                }
                return;
            }
            FieldValue? value = element.ValueKind switch
            {
                JsonValueKind.String => FieldValue.Of(element.GetString()!),
                JsonValueKind.True => FieldValue.Of(true),
                JsonValueKind.False => FieldValue.Of(false),
                JsonValueKind.Number when long.TryParse(element.GetRawText(), out long integer) => FieldValue.Of(integer),
                JsonValueKind.Number => FieldValue.Of(double.Parse(element.GetRawText(), System.Globalization.CultureInfo.InvariantCulture)),
                _ => null,
            };
            if (value is { } v && path != "")
            {
                (result.TryGetValue(path, out var list) ? list : result[path] = []).Add(v);
            }
        }
        Visit(document.RootElement, "");
        return result;
    }
}

using System.Text.Json.Nodes;
using VectorDb.Tests.Support;
using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Engine.Tests;

/// <summary>Filter semantics against an oracle that evaluates the same conditions directly on the JSON payloads
/// (written here from the documented rules, sharing no code with the engine's flattened field index).</summary>
public sealed class FilterTests
{
    private static readonly string[] s_colors = ["red", "green", "blue", "black"];

    /// <summary>Seeded payloads: color (keyword), year (int), price (double), tags (array), meta.lang (nested),
    /// sometimes missing fields and nulls.</summary>
    private static JsonObject Payload(int i)
    {
        var rng = new SplitMix64((ulong)i * 7919 + 1);
        var payload = new JsonObject
        {
            ["color"] = s_colors[rng.NextInt(s_colors.Length)],
            ["year"] = 1990 + rng.NextInt(35),
            ["price"] = Math.Round(rng.NextDouble() * 100, 2),
            ["tags"] = new JsonArray([.. Enumerable.Range(0, rng.NextInt(3)).Select(_ => (JsonNode)s_colors[rng.NextInt(4)])]),
            ["meta"] = new JsonObject { ["lang"] = rng.NextInt(2) == 0 ? "en" : "fr", ["draft"] = rng.NextInt(5) == 0 },
        };
        if (i % 11 == 0)
        {
            payload.Remove("year");
        }
        if (i % 13 == 0)
        {
            payload["color"] = null;
        }
        return payload;
    }

    public static TheoryData<string> FilterNames => [.. Cases.Keys];

    private static readonly Dictionary<string, (Filter Filter, Func<ulong, JsonObject, bool> Oracle)> Cases = new()
    {
        ["match keyword"] = (new Filter(Must: [new MatchCondition("color", FieldValue.Of("red"))]),
            (_, p) => p["color"]?.GetValue<string>() == "red"),
        ["match integer"] = (new Filter(Must: [new MatchCondition("year", FieldValue.Of(2000L))]),
            (_, p) => p["year"]?.GetValue<int>() == 2000),
        ["match bool nested"] = (new Filter(Must: [new MatchCondition("meta.draft", FieldValue.Of(true))]),
            (_, p) => p["meta"]!["draft"]!.GetValue<bool>()),
        ["any-of keywords on array"] = (new Filter(Must: [new MatchAnyCondition("tags", [FieldValue.Of("blue"), FieldValue.Of("black")])]),
            (_, p) => p["tags"]!.AsArray().Any(t => t!.GetValue<string>() is "blue" or "black")),
        ["any-of integers"] = (new Filter(Must: [new MatchAnyCondition("year", [FieldValue.Of(1995L), FieldValue.Of(2020L)])]),
            (_, p) => p["year"]?.GetValue<int>() is 1995 or 2020),
        ["range half-open"] = (new Filter(Must: [new RangeCondition("price", Gte: 20, Lt: 40)]),
            (_, p) => p["price"]!.GetValue<double>() is >= 20 and < 40),
        ["range on int field"] = (new Filter(Must: [new RangeCondition("year", Gt: 2010, Lte: 2015)]),
            (_, p) => p["year"]?.GetValue<int>() is > 2010 and <= 2015),
        ["should"] = (new Filter(Should: [new MatchCondition("color", FieldValue.Of("red")), new RangeCondition("price", Lt: 10)]),
            (_, p) => p["color"]?.GetValue<string>() == "red" || p["price"]!.GetValue<double>() < 10),
        ["must_not missing-aware"] = (new Filter(MustNot: [new RangeCondition("year", Lt: 2000)]),
            (_, p) => !(p["year"]?.GetValue<int>() < 2000)),
        ["must and must_not and should"] = (new Filter(
                Must: [new MatchCondition("meta.lang", FieldValue.Of("en"))],
                Should: [new MatchCondition("color", FieldValue.Of("blue")), new MatchCondition("color", FieldValue.Of("green"))],
                MustNot: [new HasIdCondition([3, 4, 5, 6, 7, 8, 9, 10])]),
            (id, p) => p["meta"]!["lang"]!.GetValue<string>() == "en" &&
                       p["color"]?.GetValue<string>() is "blue" or "green" && id is not (>= 3 and <= 10)),
        ["nested or of ands"] = (new Filter(Should: [
                new NestedCondition(new Filter(Must: [new MatchCondition("color", FieldValue.Of("black")), new RangeCondition("price", Gt: 50)])),
                new NestedCondition(new Filter(Must: [new MatchCondition("color", FieldValue.Of("green")), new RangeCondition("price", Lte: 50)]))]),
            (_, p) => (p["color"]?.GetValue<string>() == "black" && p["price"]!.GetValue<double>() > 50) ||
                      (p["color"]?.GetValue<string>() == "green" && p["price"]!.GetValue<double>() <= 50)),
        ["has_id"] = (new Filter(Must: [new HasIdCondition([1, 2, 399, 100_000])]), (id, _) => id is 1 or 2 or 399),
        ["missing field never matches"] = (new Filter(Must: [new MatchCondition("nope", FieldValue.Of("x"))]), (_, _) => false),
    };

    [Theory]
    [MemberData(nameof(FilterNames))]
    public async Task CountSearchAndDelete_AgreeWithOracle(string name)
    {
        var (filter, oracle) = Cases[name];
        const int n = 400, d = 8;
        using var dir = new TempDirectory();
        var vectors = TestVectors.Gaussian(n, d, seed: 5);
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        var c = await db.CreateCollectionAsync("f", new CollectionConfig(d, Metric.InnerProduct));
        var payloads = Enumerable.Range(0, n).Select(Payload).ToArray();
        await c.UpsertAsync([.. vectors.Select((v, i) => new PointInput((ulong)i, v, payloads[i]))]);
        var matching = Enumerable.Range(0, n).Where(i => oracle((ulong)i, payloads[i])).Select(i => (ulong)i).ToHashSet();

        Assert.Equal(matching.Count, c.CountPoints(filter));

        var q = TestVectors.Gaussian(1, d, seed: 6)[0];
        var hits = await c.SearchAsync(new SearchRequest(q, 20) { Filter = filter, Exact = true, WithPayload = true });
        var expected = TestVectors.BruteForce(Metric.InnerProduct, q, vectors.Select((v, i) => ((ulong)i, v)), 20, matching.Contains);
        Assert.Equal(expected.Select(e => e.Id), hits.Select(h => (ulong)h.Id));
        Assert.All(hits, h => Assert.Equal(payloads[(int)(ulong)h.Id].ToJsonString(), h.Payload!.ToJsonString()));

        var deleted = await c.DeleteAsync(filter);
        Assert.Equal(matching.Count, deleted.Affected);
        Assert.Equal(n - matching.Count, c.Count);
        Assert.Equal(0, c.CountPoints(filter));
    }

    public static TheoryData<string> MalformedNames => [.. Malformed.Keys];

    private static readonly Dictionary<string, Filter> Malformed = new()
    {
        ["empty key"] = new Filter(Must: [new MatchCondition("", FieldValue.Of("x"))]),
        ["dotted key"] = new Filter(Must: [new MatchCondition("a..b", FieldValue.Of("x"))]),
        ["range without bounds"] = new Filter(Must: [new RangeCondition("price")]),
        ["NaN bound"] = new Filter(Must: [new RangeCondition("price", Gt: double.NaN)]),
        ["empty any-of"] = new Filter(Must: [new MatchAnyCondition("tags", [])]),
        ["double match"] = new Filter(Must: [new MatchCondition("price", FieldValue.Of(1.5))]),
        ["empty has_id"] = new Filter(MustNot: [new HasIdCondition([])]),
        ["null condition"] = new Filter(Should: [null!]),
    };

    [Theory]
    [MemberData(nameof(MalformedNames))]
    public async Task MalformedFilter_IsRejected_AndDeletesNothing(string name)
    {
        using var dir = new TempDirectory();
        await using var db = await VectorDatabase.OpenAsync(dir.Path);
        var c = await db.CreateCollectionAsync("f", new CollectionConfig(4));
        await c.UpsertAsync([new PointInput(1, new float[] { 1, 2, 3, 4 }, new JsonObject { ["price"] = 1.5 })]);
        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => c.DeleteAsync(Malformed[name]));
        Assert.Contains("filter", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => c.CountPoints(Malformed[name]));
        Assert.Equal(1, c.Count);
    }
}

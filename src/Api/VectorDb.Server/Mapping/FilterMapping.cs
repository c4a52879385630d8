using VectorDb.Api.V1;
using EngineFilter = VectorDb.Filter;
using ProtoFilter = VectorDb.Api.V1.Filter;
using EngineCondition = VectorDb.Condition;
using ProtoCondition = VectorDb.Api.V1.Condition;

namespace VectorDb.Server.Mapping;

/// <summary>Proto filters → engine filters. Structural problems (a condition with nothing set, a field condition
/// with both or neither of match and range) are reported here; the engine validates the rest.</summary>
internal static class FilterMapping
{
    public static EngineFilter? ToEngine(ProtoFilter? filter) => filter is null ? null : ToEngine(filter, "filter", 0);

    private static EngineFilter ToEngine(ProtoFilter filter, string where, int depth)
    {
        if (depth > CompiledFilter.MaxDepth)
        {
            throw new ArgumentException($"{where}: filters may nest at most {CompiledFilter.MaxDepth} levels deep.", nameof(filter));
        }
        return new EngineFilter(
            Must: Conditions(filter.Must, where + ".must", depth),
            Should: Conditions(filter.Should, where + ".should", depth),
            MustNot: Conditions(filter.MustNot, where + ".must_not", depth));
    }

    private static List<EngineCondition> Conditions(IList<ProtoCondition> conditions, string where, int depth) =>
        [.. conditions.Select((c, i) => ToEngine(c, $"{where}[{i}]", depth))];

    private static EngineCondition ToEngine(ProtoCondition condition, string where, int depth)
    {
        switch (condition.ConditionOneOfCase)
        {
            case ProtoCondition.ConditionOneOfOneofCase.Field:
                return Field(condition.Field, where);
            case ProtoCondition.ConditionOneOfOneofCase.HasId:
                return new VectorDb.HasIdCondition([.. condition.HasId.HasId.Select((id, i) => PointIds.ToEngine(id, $"{where}.has_id[{i}]"))]);
            case ProtoCondition.ConditionOneOfOneofCase.Filter:
                return new NestedCondition(ToEngine(condition.Filter, where + ".filter", depth + 1));
            default:
                throw new ArgumentException($"{where} is empty; set one of field, has_id or filter.", "filter");
        }
    }

    private static EngineCondition Field(FieldCondition field, string where)
    {
        bool hasMatch = field.Match is not null && field.Match.MatchValueCase != Match.MatchValueOneofCase.None;
        bool hasRange = field.Range is not null;
        if (hasMatch == hasRange)
        {
            throw new ArgumentException(
                $"{where}: field condition on '{field.Key}' must set exactly one of match or range (it sets {(hasMatch ? "both" : "neither")}).", "filter");
        }
        if (hasRange)
        {
            var r = field.Range!;
            return new RangeCondition(field.Key,
                Gt: r.HasGt ? r.Gt : null, Gte: r.HasGte ? r.Gte : null, Lt: r.HasLt ? r.Lt : null, Lte: r.HasLte ? r.Lte : null);
        }
        var m = field.Match!;
        return m.MatchValueCase switch
        {
            Match.MatchValueOneofCase.Keyword => new MatchCondition(field.Key, FieldValue.Of(m.Keyword)),
            Match.MatchValueOneofCase.Integer => new MatchCondition(field.Key, FieldValue.Of(m.Integer)),
            Match.MatchValueOneofCase.Boolean => new MatchCondition(field.Key, FieldValue.Of(m.Boolean)),
            Match.MatchValueOneofCase.Keywords => new MatchAnyCondition(field.Key, [.. m.Keywords.Strings.Select(FieldValue.Of)]),
            Match.MatchValueOneofCase.Integers => new MatchAnyCondition(field.Key, [.. m.Integers.Integers.Select(FieldValue.Of)]),
            _ => throw new ArgumentException($"{where}: unknown match kind {m.MatchValueCase}.", "filter"),
        };
    }
}

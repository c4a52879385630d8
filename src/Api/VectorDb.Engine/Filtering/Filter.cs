namespace VectorDb;

/// <summary>
/// A boolean combination of conditions (Qdrant's semantics): a point matches when every <see cref="Must"/> condition
/// holds, at least one <see cref="Should"/> condition holds (when any are given), and no <see cref="MustNot"/>
/// condition holds. An empty filter matches every point.
/// </summary>
public sealed record Filter(
    IReadOnlyList<Condition>? Must = null,
    IReadOnlyList<Condition>? Should = null,
    IReadOnlyList<Condition>? MustNot = null);

/// <summary>One condition of a <see cref="Filter"/>.</summary>
public abstract record Condition;

/// <summary>The field at <paramref name="Key"/> (dotted path) equals <paramref name="Value"/> (any element, for an
/// array field). Keywords, integers and booleans may be matched.</summary>
public sealed record MatchCondition(string Key, FieldValue Value) : Condition;

/// <summary>The field at <paramref name="Key"/> equals any of <paramref name="Values"/> (keywords or integers).</summary>
public sealed record MatchAnyCondition(string Key, IReadOnlyList<FieldValue> Values) : Condition;

/// <summary>The numeric field at <paramref name="Key"/> lies in the range; unset bounds are open. A point whose field is
/// missing or not a number does not match.</summary>
public sealed record RangeCondition(string Key, double? Gt = null, double? Gte = null, double? Lt = null, double? Lte = null) : Condition;

/// <summary>The field at <paramref name="Key"/> holds none of <paramref name="Values"/> (keywords or integers); a point
/// without the field matches (Qdrant's <c>match: {except: [...]}</c>).</summary>
public sealed record MatchExceptCondition(string Key, IReadOnlyList<FieldValue> Values) : Condition;

/// <summary>The field at <paramref name="Key"/> holds no non-null value: it is missing, null, an empty array, an array
/// of nulls, or an object with no non-null value below it (Qdrant's <c>is_empty</c>).</summary>
public sealed record IsEmptyCondition(string Key) : Condition;

/// <summary>The field at <paramref name="Key"/> is null, or an array holding a null (Qdrant's <c>is_null</c>).</summary>
public sealed record IsNullCondition(string Key) : Condition;

/// <summary>The point's id is one of <paramref name="Ids"/>.</summary>
public sealed record HasIdCondition(IReadOnlyList<PointId> Ids) : Condition;

/// <summary>A nested filter (for an "or of ands" and similar shapes).</summary>
public sealed record NestedCondition(Filter Filter) : Condition;

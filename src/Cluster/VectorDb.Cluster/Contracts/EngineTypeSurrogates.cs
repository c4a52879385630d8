
namespace VectorDb.Cluster.Contracts;

/// <summary>How an engine <see cref="PointId"/> travels between silos (Orleans surrogate: the engine knows nothing of
/// Orleans). Exactly one of <see cref="Number"/> / <see cref="Uuid"/> is meaningful, per <see cref="IsUuid"/>.</summary>
[GenerateSerializer, Immutable]
public readonly struct PointIdSurrogate
{
    [Id(0)] public ulong Number { get; init; }

    [Id(1)] public Guid Uuid { get; init; }

    [Id(2)] public bool IsUuid { get; init; }
}

/// <summary>Registers <see cref="PointIdSurrogate"/> as the wire form of <see cref="PointId"/>.</summary>
[RegisterConverter]
public sealed class PointIdConverter : IConverter<PointId, PointIdSurrogate>
{
    public PointId ConvertFromSurrogate(in PointIdSurrogate surrogate) =>
        surrogate.IsUuid ? PointId.FromUuid(surrogate.Uuid) : PointId.FromNumber(surrogate.Number);

    public PointIdSurrogate ConvertToSurrogate(in PointId value) =>
        value.IsUuid ? new PointIdSurrogate { Uuid = value.Uuid, IsUuid = true } : new PointIdSurrogate { Number = value.Number };
}

/// <summary>The wire form of an engine <see cref="Filter"/>: the same tree, with every condition flattened into one
/// record (<see cref="ConditionSurrogate.Kind"/> says which fields are meaningful).</summary>
[GenerateSerializer, Immutable]
public readonly record struct FilterSurrogate(
    [property: Id(0)] ConditionSurrogate[]? Must,
    [property: Id(1)] ConditionSurrogate[]? Should,
    [property: Id(2)] ConditionSurrogate[]? MustNot);

/// <summary>One condition of a <see cref="FilterSurrogate"/>; <see cref="Kind"/> is the engine condition's type name.</summary>
[GenerateSerializer, Immutable]
public sealed record ConditionSurrogate(
    [property: Id(0)] string Kind,
    [property: Id(1)] string? Key = null,
    [property: Id(2)] FieldValueSurrogate[]? Values = null,
    [property: Id(3)] double? Gt = null,
    [property: Id(4)] double? Gte = null,
    [property: Id(5)] double? Lt = null,
    [property: Id(6)] double? Lte = null,
    [property: Id(7)] PointId[]? Ids = null,
    [property: Id(8)] FilterSurrogate? Nested = null);

/// <summary>One scalar filter value on the wire (its kind and the field that kind uses).</summary>
[GenerateSerializer, Immutable]
public sealed record FieldValueSurrogate(
    [property: Id(0)] FieldValueKind Kind,
    [property: Id(1)] string? Keyword,
    [property: Id(2)] long Integer,
    [property: Id(3)] double Number);

/// <summary>Registers <see cref="FilterSurrogate"/> as the wire form of <see cref="Filter"/>. A condition type this
/// build does not know is refused on both ends rather than dropped (dropping one would widen the filter).</summary>
[RegisterConverter]
public sealed class FilterConverter : IConverter<Filter, FilterSurrogate>
{
    public Filter ConvertFromSurrogate(in FilterSurrogate surrogate) => FromWire(surrogate);

    public FilterSurrogate ConvertToSurrogate(in Filter value) => ToWire(value);

    private static FilterSurrogate ToWire(Filter filter) =>
        new(ToWire(filter.Must), ToWire(filter.Should), ToWire(filter.MustNot));

    private static ConditionSurrogate[]? ToWire(IReadOnlyList<Condition>? conditions) => conditions is null ? null : [.. conditions.Select(ToWire)];

    private static ConditionSurrogate ToWire(Condition condition) => condition switch
    {
        MatchCondition c => new(nameof(MatchCondition), c.Key, [ToWire(c.Value)]),
        MatchAnyCondition c => new(nameof(MatchAnyCondition), c.Key, [.. c.Values.Select(ToWire)]),
        MatchExceptCondition c => new(nameof(MatchExceptCondition), c.Key, [.. c.Values.Select(ToWire)]),
        RangeCondition c => new(nameof(RangeCondition), c.Key, Gt: c.Gt, Gte: c.Gte, Lt: c.Lt, Lte: c.Lte),
        IsEmptyCondition c => new(nameof(IsEmptyCondition), c.Key),
        IsNullCondition c => new(nameof(IsNullCondition), c.Key),
        HasIdCondition c => new(nameof(HasIdCondition), Ids: [.. c.Ids]),
        NestedCondition c => new(nameof(NestedCondition), Nested: ToWire(c.Filter)),
        _ => throw new NotSupportedException($"filter condition {condition.GetType().Name} cannot be sent to a clustered collection's shards."),
    };

    private static FieldValueSurrogate ToWire(FieldValue value) => new(value.Kind, value.Keyword, value.Integer, value.Number);

    private static Filter FromWire(FilterSurrogate filter) => new(FromWire(filter.Must), FromWire(filter.Should), FromWire(filter.MustNot));

    private static Condition[]? FromWire(ConditionSurrogate[]? conditions) => conditions is null ? null : [.. conditions.Select(FromWire)];

    private static Condition FromWire(ConditionSurrogate c) => c.Kind switch
    {
        nameof(MatchCondition) => new MatchCondition(c.Key!, FromWire(c.Values![0])),
        nameof(MatchAnyCondition) => new MatchAnyCondition(c.Key!, [.. c.Values!.Select(FromWire)]),
        nameof(MatchExceptCondition) => new MatchExceptCondition(c.Key!, [.. c.Values!.Select(FromWire)]),
        nameof(RangeCondition) => new RangeCondition(c.Key!, c.Gt, c.Gte, c.Lt, c.Lte),
        nameof(IsEmptyCondition) => new IsEmptyCondition(c.Key!),
        nameof(IsNullCondition) => new IsNullCondition(c.Key!),
        nameof(HasIdCondition) => new HasIdCondition([.. c.Ids!]),
        nameof(NestedCondition) => new NestedCondition(FromWire(c.Nested!.Value)),
        _ => throw new NotSupportedException($"filter condition '{c.Kind}' is unknown to this silo's build."),
    };

    private static FieldValue FromWire(FieldValueSurrogate v) => v.Kind switch
    {
        FieldValueKind.Keyword => FieldValue.Of(v.Keyword!),
        FieldValueKind.Integer => FieldValue.Of(v.Integer),
        FieldValueKind.Double => FieldValue.Of(v.Number),
        FieldValueKind.Boolean => FieldValue.Of(v.Integer != 0),
        _ => throw new NotSupportedException($"filter value kind {v.Kind} is unknown to this silo's build."),
    };
}

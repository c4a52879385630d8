namespace VectorDb;

/// <summary>
/// A validated <see cref="Filter"/> ready to evaluate against many points (id sets become hash sets). Immutable and
/// thread-safe. Compile once per request; <see cref="Matches"/> allocates nothing.
/// </summary>
public sealed class CompiledFilter
{
    /// <summary>Nesting deeper than this is refused (protects the stack from hostile requests).</summary>
    public const int MaxDepth = 32;

    /// <summary>Conditions in one filter tree beyond this are refused.</summary>
    public const int MaxConditions = 10_000;

    private readonly Node[] _must;
    private readonly Node[] _should;
    private readonly Node[] _mustNot;

    private CompiledFilter(Node[] must, Node[] should, Node[] mustNot)
    {
        _must = must;
        _should = should;
        _mustNot = mustNot;
    }

    /// <summary>Validates and compiles; <paramref name="filter"/> null gives null (no filtering).</summary>
    /// <param name="filter">The filter, or null.</param>
    /// <param name="slotOf">Maps a has_id id to the slot <see cref="Matches"/> is called with (null: no live point has
    /// it); by default a numeric id is its own slot and a UUID matches nothing.</param>
    /// <exception cref="ArgumentException">A malformed condition; the message names it and what to fix.</exception>
    public static CompiledFilter? Compile(Filter? filter, Func<PointId, ulong?>? slotOf = null)
    {
        if (filter is null)
        {
            return null;
        }
        int budget = MaxConditions;
        var context = new Context(slotOf ?? (id => id.IsUuid ? null : id.Number));
        return CompileFilter(filter, "filter", 0, ref budget, context);
    }

    /// <summary>What compiling needs besides the filter itself.</summary>
    private sealed record Context(Func<PointId, ulong?> SlotOf);

    /// <summary>Whether the point with this id and payload passes.</summary>
    public bool Matches(ulong id, PayloadFields fields)
    {
        foreach (var node in _must)
        {
            if (!node.Matches(id, fields))
            {
                return false;
            }
        }
        foreach (var node in _mustNot)
        {
            if (node.Matches(id, fields))
            {
                return false;
            }
        }
        if (_should.Length == 0)
        {
            return true;
        }
        foreach (var node in _should)
        {
            if (node.Matches(id, fields))
            {
                return true;
            }
        }
        return false;
    }

    private static CompiledFilter CompileFilter(Filter filter, string where, int depth, ref int budget, Context context)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"{where}: filters may nest at most {MaxDepth} levels deep.", nameof(filter));
        }
        return new CompiledFilter(
            CompileList(filter.Must, where + ".must", depth, ref budget, context),
            CompileList(filter.Should, where + ".should", depth, ref budget, context),
            CompileList(filter.MustNot, where + ".must_not", depth, ref budget, context));
    }

    private static Node[] CompileList(IReadOnlyList<Condition>? conditions, string where, int depth, ref int budget, Context context)
    {
        if (conditions is null || conditions.Count == 0)
        {
            return [];
        }
        var nodes = new Node[conditions.Count];
        for (int i = 0; i < nodes.Length; i++)
        {
            if (--budget < 0)
            {
                throw new ArgumentException($"a filter may hold at most {MaxConditions} conditions.", "filter");
            }
            nodes[i] = CompileCondition(conditions[i], $"{where}[{i}]", depth, ref budget, context);
        }
        return nodes;
    }

    private static Node CompileCondition(Condition? condition, string where, int depth, ref int budget, Context context)
    {
        switch (condition)
        {
            case null:
                throw new ArgumentException($"{where} is empty; give a field match, range, has_id or nested filter.", "filter");
            case MatchCondition match:
                CheckKey(match.Key, where);
                if (match.Value.Kind == FieldValueKind.Double)
                {
                    throw new ArgumentException($"{where}: match on '{match.Key}' takes a keyword, integer or boolean; use a range for other numbers.", "filter");
                }
                if (match.Value.Kind == FieldValueKind.Keyword && match.Value.Keyword is null)
                {
                    throw new ArgumentException($"{where}: match on '{match.Key}' has no value; give a keyword, integer or boolean.", "filter");
                }
                return new MatchNode(match.Key, match.Value);
            case MatchAnyCondition any:
                CheckKey(any.Key, where);
                if (any.Values is null || any.Values.Count == 0)
                {
                    throw new ArgumentException($"{where}: any-of match on '{any.Key}' needs at least one value.", "filter");
                }
                if (any.Values.Any(v => v.Kind is not (FieldValueKind.Keyword or FieldValueKind.Integer)))
                {
                    throw new ArgumentException($"{where}: any-of match on '{any.Key}' takes keywords or integers.", "filter");
                }
                return new MatchAnyNode(any.Key, [.. any.Values]);
            case RangeCondition range:
                CheckKey(range.Key, where);
                if (range.Gt is null && range.Gte is null && range.Lt is null && range.Lte is null)
                {
                    throw new ArgumentException($"{where}: range on '{range.Key}' has no bound; set at least one of gt, gte, lt, lte.", "filter");
                }
                foreach (double? bound in (double?[])[range.Gt, range.Gte, range.Lt, range.Lte])
                {
                    if (bound is { } b && double.IsNaN(b))
                    {
                        throw new ArgumentException($"{where}: range on '{range.Key}' has a NaN bound.", "filter");
                    }
                }
                return new RangeNode(range.Key, range.Gt ?? double.NegativeInfinity, range.Gt is not null,
                    range.Gte ?? double.NegativeInfinity, range.Lt ?? double.PositiveInfinity, range.Lt is not null,
                    range.Lte ?? double.PositiveInfinity);
            case MatchExceptCondition except:
                CheckKey(except.Key, where);
                if (except.Values is null || except.Values.Any(v => v.Kind is not (FieldValueKind.Keyword or FieldValueKind.Integer)))
                {
                    throw new ArgumentException($"{where}: except-match on '{except.Key}' takes keywords or integers.", "filter");
                }
                return new NotNode(new MatchAnyNode(except.Key, [.. except.Values]));
            case IsEmptyCondition isEmpty:
                CheckKey(isEmpty.Key, where);
                return new IsEmptyNode(isEmpty.Key);
            case IsNullCondition isNull:
                CheckKey(isNull.Key, where);
                return new IsNullNode(isNull.Key);
            case HasIdCondition hasId:
                if (hasId.Ids is null || hasId.Ids.Count == 0)
                {
                    throw new ArgumentException($"{where}: has_id needs at least one id.", "filter");
                }
                return new HasIdNode([.. hasId.Ids.Select(context.SlotOf).Where(slot => slot is not null).Select(slot => slot!.Value)]);
            case NestedCondition nested:
                if (nested.Filter is null)
                {
                    throw new ArgumentException($"{where}: nested filter is empty.", "filter");
                }
                return new NestedNode(CompileFilter(nested.Filter, where + ".filter", depth + 1, ref budget, context));
            default:
                throw new ArgumentException($"{where}: unsupported condition type {condition.GetType().Name}.", "filter");
        }
    }

    private static void CheckKey(string? key, string where)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException($"{where}: the field key is empty; name a payload field such as \"color\" or \"meta.year\".", "filter");
        }
        if (key.StartsWith('.') || key.EndsWith('.') || key.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{where}: field key '{key}' is malformed; use dot-separated names such as \"meta.year\".", "filter");
        }
    }

    private abstract class Node
    {
        public abstract bool Matches(ulong id, PayloadFields fields);
    }

    private sealed class MatchNode(string key, FieldValue wanted) : Node
    {
        public override bool Matches(ulong id, PayloadFields fields)
        {
            foreach (ref readonly var value in fields.Get(key))
            {
                if (value.Matches(wanted))
                {
                    return true;
                }
            }
            return false;
        }
    }

    private sealed class MatchAnyNode(string key, FieldValue[] wanted) : Node
    {
        public override bool Matches(ulong id, PayloadFields fields)
        {
            foreach (ref readonly var value in fields.Get(key))
            {
                foreach (ref readonly var candidate in wanted.AsSpan())
                {
                    if (value.Matches(candidate))
                    {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private sealed class RangeNode(string key, double gt, bool hasGt, double gte, double lt, bool hasLt, double lte) : Node
    {
        public override bool Matches(ulong id, PayloadFields fields)
        {
            foreach (ref readonly var value in fields.Get(key))
            {
                double x = value.Number;
                if (value.IsNumber && (!hasGt || x > gt) && x >= gte && (!hasLt || x < lt) && x <= lte)
                {
                    return true;
                }
            }
            return false;
        }
    }

    private sealed class NotNode(Node inner) : Node
    {
        public override bool Matches(ulong id, PayloadFields fields) => !inner.Matches(id, fields);
    }

    private sealed class IsEmptyNode(string key) : Node
    {
        public override bool Matches(ulong id, PayloadFields fields) => !fields.HasValueAt(key);
    }

    private sealed class IsNullNode(string key) : Node
    {
        public override bool Matches(ulong id, PayloadFields fields) => fields.HasNull(key);
    }

    private sealed class HasIdNode(HashSet<ulong> ids) : Node
    {
        public override bool Matches(ulong id, PayloadFields fields) => ids.Contains(id);
    }

    private sealed class NestedNode(CompiledFilter filter) : Node
    {
        public override bool Matches(ulong id, PayloadFields fields) => filter.Matches(id, fields);
    }
}

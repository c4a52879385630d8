using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace VectorDb.VectorData;

/// <summary>
/// Translates a LINQ filter over a record type into a VectorDb payload filter. Supported: <c>==</c>, <c>!=</c>,
/// <c>&lt; &lt;= &gt; &gt;=</c> on data properties (and <c>==</c>/<c>!=</c> on the key), bare and negated boolean
/// properties, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>, <c>values.Contains(r.Property)</c> (any-of) and
/// <c>r.ArrayProperty.Contains(value)</c>. Sub-expressions that do not involve the record (captured variables,
/// arithmetic on constants) are evaluated once. Anything else raises <see cref="NotSupportedException"/> naming it.
/// </summary>
internal sealed class FilterTranslator(CollectionModel model, ParameterExpression record)
{
    public Filter Translate(Expression body) => AsFilter(body);

    private Filter AsFilter(Expression e) => e switch
    {
        BinaryExpression { NodeType: ExpressionType.AndAlso } and => new Filter(Must: [new NestedCondition(AsFilter(and.Left)), new NestedCondition(AsFilter(and.Right))]),
        BinaryExpression { NodeType: ExpressionType.OrElse } or => new Filter(Should: [new NestedCondition(AsFilter(or.Left)), new NestedCondition(AsFilter(or.Right))]),
        UnaryExpression { NodeType: ExpressionType.Not } not => new Filter(MustNot: [new NestedCondition(AsFilter(not.Operand))]),
        BinaryExpression { NodeType: ExpressionType.NotEqual } ne => new Filter(MustNot: [Comparison(ne, ExpressionType.Equal)]),
        _ => new Filter(Must: [Leaf(e)]),
    };

    private Condition Leaf(Expression e)
    {
        switch (e)
        {
            case BinaryExpression binary when binary.NodeType is ExpressionType.Equal or ExpressionType.LessThan or ExpressionType.LessThanOrEqual
                or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual:
                return Comparison(binary, binary.NodeType);
            case MemberExpression member when TryBind(member, out var property) && property.Type == typeof(bool):
                return new MatchCondition(property.StorageName, FieldValue.Of(true));
            case MethodCallExpression call when call.Method.Name == "Contains":
                return Contains(call);
            default:
                throw Unsupported(e);
        }
    }

    /// <summary>property OP value (either side), with the operator mirrored when the property is on the right.</summary>
    private Condition Comparison(BinaryExpression binary, ExpressionType op)
    {
        PropertyModel? property;
        object? value;
        if (TryBind(binary.Left, out property))
        {
            value = Evaluate(binary.Right);
        }
        else if (TryBind(binary.Right, out property))
        {
            value = Evaluate(binary.Left);
            op = op switch
            {
                ExpressionType.LessThan => ExpressionType.GreaterThan,
                ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
                ExpressionType.GreaterThan => ExpressionType.LessThan,
                ExpressionType.GreaterThanOrEqual => ExpressionType.LessThanOrEqual,
                _ => op,
            };
        }
        else
        {
            throw Unsupported(binary);
        }
        if (property is KeyPropertyModel)
        {
            return op == ExpressionType.Equal ? new HasIdCondition([RecordKeys.ToPointId(value)]) : throw Unsupported(binary);
        }
        if (op == ExpressionType.Equal)
        {
            return Equality(property.StorageName, value, binary);
        }
        double bound = value is IConvertible convertible && value is not string and not bool
            ? convertible.ToDouble(System.Globalization.CultureInfo.InvariantCulture)
            : throw new NotSupportedException($"'{binary}': ranges need a number, got {value ?? "null"}.");
        return op switch
        {
            ExpressionType.LessThan => new RangeCondition(property.StorageName, Lt: bound),
            ExpressionType.LessThanOrEqual => new RangeCondition(property.StorageName, Lte: bound),
            ExpressionType.GreaterThan => new RangeCondition(property.StorageName, Gt: bound),
            _ => new RangeCondition(property.StorageName, Gte: bound),
        };
    }

    private static Condition Equality(string key, object? value, Expression where) => value switch
    {
        string s => new MatchCondition(key, FieldValue.Of(s)),
        bool b => new MatchCondition(key, FieldValue.Of(b)),
        sbyte or byte or short or ushort or int or uint or long or ulong or Enum =>
            new MatchCondition(key, FieldValue.Of(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture))),
        float or double or decimal => RangeCondition(key, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw new NotSupportedException($"'{where}': VectorDb filters compare with strings, integers, numbers or booleans, got {value ?? "null"}."),
    };

    /// <summary>A non-integral number equals x exactly: the range [x, x].</summary>
    private static RangeCondition RangeCondition(string key, double x) => new(key, Gte: x, Lte: x);

    /// <summary>values.Contains(r.P) → any-of; r.ArrayP.Contains(value) → match on an array field.</summary>
    private Condition Contains(MethodCallExpression call)
    {
        Expression source, item;
        if (call.Object is not null)
        {
            (source, item) = (call.Object, call.Arguments[0]);
        }
        else if (call.Arguments.Count == 2)
        {
            (source, item) = (Unwrap(call.Arguments[0]), call.Arguments[1]);
        }
        else
        {
            throw Unsupported(call);
        }
        if (TryBind(item, out var property))
        {
            var values = ((IEnumerable)(Evaluate(source) ?? throw Unsupported(call))).Cast<object?>().ToList();
            if (property is KeyPropertyModel)
            {
                return new HasIdCondition([.. values.Select(RecordKeys.ToPointId)]);
            }
            var fields = values.Select(v => Equality(property.StorageName, v, call)).ToList();
            return fields.All(f => f is MatchCondition)
                ? new MatchAnyCondition(property.StorageName, [.. fields.Cast<MatchCondition>().Select(m => m.Value)])
                : new NestedCondition(new Filter(Should: fields));
        }
        if (TryBind(source, out var arrayProperty))
        {
            return Equality(arrayProperty.StorageName, Evaluate(item), call);
        }
        throw Unsupported(call);
    }

    /// <summary>C# 14 binds array.Contains(x) to MemoryExtensions.Contains(span, x) through an implicit conversion.</summary>
    private static Expression Unwrap(Expression e) =>
        e is MethodCallExpression { Method.Name: "op_Implicit", Arguments.Count: 1 } conversion ? conversion.Arguments[0]
        : e is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand
        : e;

    private bool TryBind(Expression e, out PropertyModel property)
    {
        e = Unwrap(e);
        if (e is MemberExpression { Member: PropertyInfo or FieldInfo } member && Unwrap(member.Expression!) == record &&
            model.PropertyMap.TryGetValue(member.Member.Name, out var found) && found is not VectorPropertyModel)
        {
            property = found;
            return true;
        }
        property = null!;
        return false;
    }

    private object? Evaluate(Expression e)
    {
        if (new ParameterFinder(record).Finds(e))
        {
            throw Unsupported(e);
        }
        return e is ConstantExpression constant ? constant.Value : Expression.Lambda(e).Compile().DynamicInvoke();
    }

    private static NotSupportedException Unsupported(Expression e) =>
        new($"VectorDb cannot translate the filter part '{e}'; use ==, !=, <, <=, >, >=, &&, ||, !, bool properties, values.Contains(r.P) or r.Array.Contains(v) on data properties.");

    private sealed class ParameterFinder(ParameterExpression parameter) : ExpressionVisitor
    {
        private bool _found;

        public bool Finds(Expression e)
        {
            Visit(e);
            return _found;
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            _found |= node == parameter;
            return node;
        }
    }
}

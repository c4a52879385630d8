namespace VectorDb.Server.Mapping;

/// <summary>
/// A two-way table between a wire value (a proto enum) and the engine's value: one row per pair, so each mapping is
/// written once for both directions. Both lookups take the first matching row, so a wire alias listed after the
/// canonical row (a proto <c>Default</c>) is read but never written.
/// </summary>
/// <param name="rows">The pairs, canonical wire value first for each engine value.</param>
internal sealed class WireTable<TWire, TEngine>(params (TWire Wire, TEngine Engine)[] rows)
    where TWire : struct, Enum
    where TEngine : struct, Enum
{
    /// <summary>The engine value of a wire value; false when the table has no row for it (an unknown or unset value).</summary>
    public bool TryRead(TWire wire, out TEngine engine)
    {
        foreach (var row in rows)
        {
            if (EqualityComparer<TWire>.Default.Equals(row.Wire, wire))
            {
                engine = row.Engine;
                return true;
            }
        }
        engine = default;
        return false;
    }

    /// <summary>The wire value of an engine value (every engine value has a row).</summary>
    public TWire Write(TEngine engine)
    {
        foreach (var row in rows)
        {
            if (EqualityComparer<TEngine>.Default.Equals(row.Engine, engine))
            {
                return row.Wire;
            }
        }
        throw new InvalidOperationException($"{typeof(TEngine).Name}.{engine} has no {typeof(TWire).Name} on the wire.");
    }
}

namespace VectorDb.Index.Search;

/// <summary>
/// A query vector checked by one index (<see cref="VectorIndex.Check"/>): as many coordinates as the index's
/// dimension, every one finite. The vector is the caller's memory, not copied: keep it unchanged until the search
/// returns.
/// </summary>
public readonly struct CheckedVector
{
    internal CheckedVector(ReadOnlyMemory<float> vector, VectorIndex index)
    {
        Vector = vector;
        Index = index;
    }

    /// <summary>The query.</summary>
    public ReadOnlyMemory<float> Vector { get; }

    /// <summary>The index that checked it; null for a default value.</summary>
    internal VectorIndex? Index { get; }

    /// <summary>The query with its search options, once they are validated (<see cref="SearchOptions.Validate"/>).</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public CheckedQuery With(SearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new CheckedQuery(this, options);
    }
}

/// <summary>
/// A checked query vector with validated search options. The search methods that take it check nothing again, so a
/// caller that validates a request up front (the engine, which must refuse a whole batch before running any of it)
/// has each query checked once.
/// </summary>
public readonly struct CheckedQuery
{
    internal CheckedQuery(CheckedVector vector, SearchOptions options)
    {
        Checked = vector;
        Options = options;
    }

    /// <summary>The query.</summary>
    public ReadOnlyMemory<float> Vector => Checked.Vector;

    /// <summary>The validated options.</summary>
    public SearchOptions Options { get; }

    internal CheckedVector Checked { get; }
}

/// <summary>What is wrong with a query's coordinates (<see cref="VectorIndex.Check"/>).</summary>
public enum QueryFault
{
    /// <summary>Nothing: the query was checked.</summary>
    None,

    /// <summary>The query's length is not the index's dimension.</summary>
    WrongLength,

    /// <summary>A coordinate is NaN or infinite.</summary>
    NotFinite,
}

namespace VectorDb.Index.Search;

/// <summary>The checks of a raw query and of a batch, for the searches that take them (the engine checks once into a
/// <see cref="CheckedQuery"/> instead), with the messages a caller using the index directly sees.</summary>
internal static class QueryChecks
{
    /// <summary>What is wrong with a query for an index of this dimension (the first bad coordinate in
    /// <paramref name="coordinate"/>, else −1).</summary>
    public static QueryFault FaultOf(ReadOnlySpan<float> query, int dimension, out int coordinate)
    {
        coordinate = -1;
        if (query.Length != dimension)
        {
            return QueryFault.WrongLength;
        }
        for (int j = 0; j < query.Length; j++)
        {
            if (!float.IsFinite(query[j]))
            {
                coordinate = j;
                return QueryFault.NotFinite;
            }
        }
        return QueryFault.None;
    }

    /// <summary>Throws the <see cref="ArgumentException"/> a search throws for a bad query.</summary>
    public static void ThrowIfBad(ReadOnlySpan<float> query, int dimension)
    {
        switch (FaultOf(query, dimension, out int coordinate))
        {
            case QueryFault.WrongLength:
                throw new ArgumentException($"query has {query.Length} coordinates; the index has dimension {dimension}.", nameof(query));
            case QueryFault.NotFinite:
                throw new ArgumentException($"query coordinate {coordinate} is {query[coordinate]}; every coordinate must be finite.", nameof(query));
        }
    }

    /// <summary>Checks the options and every query of a batch (queries one after another); returns how many.</summary>
    public static int CountOfBatch(ReadOnlySpan<float> queries, SearchOptions options, int dimension)
    {
        options.Validate();
        if (queries.Length % dimension != 0)
        {
            throw new ArgumentException(
                $"queries holds {queries.Length} floats, not a multiple of the dimension {dimension}.", nameof(queries));
        }
        int count = queries.Length / dimension;
        for (int i = 0; i < count; i++)
        {
            ThrowIfBad(queries.Slice(i * dimension, dimension), dimension);
        }
        return count;
    }

    /// <summary>Throws unless <paramref name="index"/> checked the query.</summary>
    public static void ThrowIfNotCheckedBy(in CheckedQuery query, VectorIndex index)
    {
        if (!ReferenceEquals(query.Checked.Index, index))
        {
            throw new ArgumentException("the query was not checked by this index; check it with VectorIndex.Check first.", nameof(query));
        }
    }

    /// <summary>The vectors of a checked batch one after another, and their common options.</summary>
    /// <exception cref="ArgumentException">A query checked by another index, or queries with different options.</exception>
    public static float[] Pack(ReadOnlySpan<CheckedQuery> queries, VectorIndex index, out SearchOptions options)
    {
        int dimension = index.Options.Dimension;
        options = queries[0].Options;
        var packed = new float[queries.Length * dimension];
        for (int i = 0; i < queries.Length; i++)
        {
            ThrowIfNotCheckedBy(queries[i], index);
            if (!queries[i].Options.Equals(options))
            {
                throw new ArgumentException("every query of a checked batch must have the same options.", nameof(queries));
            }
            queries[i].Vector.Span.CopyTo(packed.AsSpan(i * dimension));
        }
        return packed;
    }
}

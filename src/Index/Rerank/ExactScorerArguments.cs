namespace VectorDb.Index.Rerank;

/// <summary>Argument checks shared by every <see cref="IExactScorer"/>, so that each implementation rejects the
/// same inputs with the same messages before touching any output.</summary>
public static class ExactScorerArguments
{
    /// <summary>The query must have <paramref name="dimension"/> finite coordinates.</summary>
    public static void ValidateQuery(ReadOnlySpan<float> query, int dimension, string parameterName = "query")
    {
        ValidateQueryLength(query, dimension, parameterName);
        for (int j = 0; j < query.Length; j++)
        {
            if (!float.IsFinite(query[j]))
            {
                throw new ArgumentException($"Query coordinate {j} is {query[j]}; queries must be finite.", parameterName);
            }
        }
    }

    /// <summary>The query must have <paramref name="dimension"/> coordinates (the O(1) part of
    /// <see cref="ValidateQuery"/>, for a <see cref="CheckedScorerQuery"/>).</summary>
    public static void ValidateQueryLength(ReadOnlySpan<float> query, int dimension, string parameterName = "query")
    {
        if (query.Length != dimension)
        {
            throw new ArgumentException($"Query has {query.Length} coordinates; the collection's dimension is {dimension}.", parameterName);
        }
    }

    /// <summary>One score per slot, and no negative slot.</summary>
    public static void ValidateSlots(ReadOnlySpan<int> slots, int outputLength, string outputName)
    {
        if (outputLength != slots.Length)
        {
            throw new ArgumentException($"{outputName} has {outputLength} entries for {slots.Length} slots; they must match.", outputName);
        }
        ValidateNonNegative(slots);
    }

    /// <summary>Checks a CSR batch and returns the number of queries (candidateOffsets.Length − 1).</summary>
    public static int ValidateBatch(ReadOnlySpan<float> queries, ReadOnlySpan<int> candidateOffsets, ReadOnlySpan<int> slots, int dimension)
    {
        if (candidateOffsets.Length < 1)
        {
            throw new ArgumentException("candidateOffsets needs queryCount + 1 entries (at least one: [0]).", nameof(candidateOffsets));
        }
        int queryCount = candidateOffsets.Length - 1;
        if ((long)queryCount * dimension != queries.Length)
        {
            throw new ArgumentException(
                $"queries has {queries.Length} floats; {queryCount} queries of dimension {dimension} need {(long)queryCount * dimension}.",
                nameof(queries));
        }
        if (candidateOffsets[0] != 0 || candidateOffsets[queryCount] != slots.Length)
        {
            throw new ArgumentException(
                $"candidateOffsets must start at 0 and end at slots.Length ({slots.Length}); got {candidateOffsets[0]} .. {candidateOffsets[queryCount]}.",
                nameof(candidateOffsets));
        }
        for (int q = 0; q < queryCount; q++)
        {
            if (candidateOffsets[q + 1] < candidateOffsets[q])
            {
                throw new ArgumentException($"candidateOffsets must not decrease (entry {q + 1} < entry {q}).", nameof(candidateOffsets));
            }
            ValidateQuery(queries.Slice(q * dimension, dimension), dimension, nameof(queries));
        }
        ValidateNonNegative(slots);
        return queryCount;
    }

    /// <summary>Checks the output of a batched top-k call for <paramref name="queryCount"/> queries.</summary>
    public static void ValidateTopKOutput(int queryCount, int k, int bestLength, int countsLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if ((long)queryCount * k > bestLength)
        {
            throw new ArgumentException($"best has {bestLength} entries; {queryCount} queries × k = {k} need {(long)queryCount * k}.", nameof(bestLength));
        }
        if (countsLength < queryCount)
        {
            throw new ArgumentException($"counts has {countsLength} entries for {queryCount} queries.", nameof(countsLength));
        }
    }

    /// <summary>Checks the queries of a batched brute-force search and returns their count.</summary>
    public static int ValidateQueries(ReadOnlySpan<float> queries, int dimension)
    {
        if (queries.Length % dimension != 0)
        {
            throw new ArgumentException($"queries has {queries.Length} floats, not a multiple of the dimension {dimension}.", nameof(queries));
        }
        int queryCount = queries.Length / dimension;
        for (int q = 0; q < queryCount; q++)
        {
            ValidateQuery(queries.Slice(q * dimension, dimension), dimension, nameof(queries));
        }
        return queryCount;
    }

    private static void ValidateNonNegative(ReadOnlySpan<int> slots)
    {
        for (int i = 0; i < slots.Length; i++)
        {
            if (slots[i] < 0)
            {
                throw new ArgumentException($"slots[{i}] is {slots[i]}; slots are never negative.", nameof(slots));
            }
        }
    }
}

namespace VectorDb;

/// <summary>
/// The one rule on a vector's size, applied to every stored vector (upsert) and every query (search): it keeps every
/// score finite and every stored vector findable in float32 arithmetic.
/// <list type="bullet">
/// <item>Euclidean norm at most <see cref="MaxNorm"/> (1e18), for every metric. Then |x·q| ≤ 1e36 and
/// ‖x − q‖² ≤ 4e36, below float32's 3.4e38; without the bound an inner product or L2 score of 1e19-coordinate vectors
/// is <c>inf</c>, and a cosine vector of 1e37-coordinates overflows its own norm and is never found.</item>
/// <item>For cosine, a norm of at least <see cref="MinCosineNorm"/> (1e-18): ‖x‖² ≥ 1e-36 stays a normal float32, so
/// the direction is defined. The zero vector (no direction) and vectors of 1e-30 coordinates (‖x‖² underflows to 0
/// and the vector scores 0 against itself) are refused.</item>
/// </list>
/// The norm is computed in float64 (no overflow or underflow for any finite float32 input).
/// </summary>
public static class VectorMagnitude
{
    /// <summary>Largest accepted Euclidean norm of a stored vector or a query, for every metric.</summary>
    public const double MaxNorm = 1e18;

    /// <summary>Smallest accepted Euclidean norm of a cosine vector or query.</summary>
    public const double MinCosineNorm = 1e-18;

    /// <summary>Throws <see cref="ArgumentException"/> (→ INVALID_ARGUMENT) when <paramref name="vector"/> (finite
    /// coordinates already checked) is outside the bounds for <paramref name="metric"/>.</summary>
    /// <param name="vector">The stored vector or query.</param>
    /// <param name="metric">The collection's metric.</param>
    /// <param name="what">How the message names the vector ("point 7 (batch index 0)", "the query").</param>
    public static void Check(ReadOnlySpan<float> vector, Metric metric, string what)
    {
        double sum = 0;
        foreach (float x in vector)
        {
            sum += (double)x * x;
        }
        double norm = Math.Sqrt(sum);
        if (norm > MaxNorm)
        {
            throw new ArgumentException(
                $"{what} has Euclidean norm {norm:G3}; the limit is {MaxNorm:G0} (beyond it scores overflow float32). Scale the vector down.",
                nameof(vector));
        }
        if (metric == Metric.Cosine && norm < MinCosineNorm)
        {
            throw new ArgumentException(
                $"{what} has Euclidean norm {norm:G3}; a cosine vector needs a norm of at least {MinCosineNorm:G0} (a zero or " +
                "near-zero vector has no direction). Scale the vector up.",
                nameof(vector));
        }
    }
}

namespace VectorDb.Index.Common;

/// <summary>Scaling to unit length, as cosine collections store and search their vectors.</summary>
internal static class UnitNormalisation
{
    /// <summary>Scales <paramref name="vector"/> to x/‖x‖ in place: the sum of squares in double, one float reciprocal,
    /// each coordinate multiplied by it; a zero vector stays zero.</summary>
    public static void Normalise(Span<float> vector)
    {
        double squares = 0;
        foreach (float v in vector)
        {
            squares += (double)v * v;
        }
        if (squares > 0)
        {
            float inverse = (float)(1 / Math.Sqrt(squares));
            for (int j = 0; j < vector.Length; j++)
            {
                vector[j] *= inverse;
            }
        }
    }
}

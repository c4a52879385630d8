using VectorDb.Index.Common;

namespace VectorDb.Index.Quantization;

/// <summary>Input validation shared by encoders and estimators: length, finiteness, range.</summary>
internal static class VectorChecks
{
    /// <summary>
    /// Returns Σ v_j² (double, fixed order) after checking that <paramref name="vector"/> has
    /// <paramref name="dimension"/> finite coordinates and a norm the float rotation can carry: its unnormalized
    /// butterflies reach at most √d·‖v‖, which must stay below float.MaxValue.
    /// </summary>
    public static double SquaredNorm(ReadOnlySpan<float> vector, int dimension, string parameterName, SimdLevel level)
    {
        if (vector.Length != dimension)
        {
            throw new ArgumentException($"{parameterName} has {vector.Length} coordinates; this quantizer expects {dimension}.", parameterName);
        }
        double squaredNorm = FixedOrderSums.SumOfSquares(vector, level);
        if (!double.IsFinite(squaredNorm))
        {
            for (int j = 0; j < vector.Length; j++)
            {
                if (!float.IsFinite(vector[j]))
                {
                    throw new ArgumentException($"{parameterName}[{j}] is {vector[j]}; vectors must be finite (no NaN or infinity).", parameterName);
                }
            }
        }
        if (Math.Sqrt(squaredNorm) * Math.Sqrt(dimension) >= float.MaxValue)
        {
            throw new ArgumentException(
                $"{parameterName} has norm {Math.Sqrt(squaredNorm):g3}; norms above float.MaxValue/√d ({float.MaxValue / Math.Sqrt(dimension):g3}) would overflow the float32 rotation. Rescale the vector.",
                parameterName);
        }
        return squaredNorm;
    }

    public static void CheckOutput(Span<float> output, int dimension, string parameterName)
    {
        if (output.Length != dimension)
        {
            throw new ArgumentException($"{parameterName} has {output.Length} coordinates; this quantizer decodes {dimension}.", parameterName);
        }
    }
}

using VectorDb.Index.Common;
using VectorDb.Index.Rotation;

namespace VectorDb.Index.Quantization;

/// <summary>
/// A centre c that vectors are encoded relative to (format v2, docs/codec.md "Centred codes"): the collection mean,
/// an IVF list centroid, or zero (no centring). Holds c, its rotation Πc (float32, the frame the codes live in) and
/// ‖c‖² (double). Immutable.
/// </summary>
public sealed class CodeCentre
{
    private readonly float[] _vector;
    private readonly float[] _rotated;

    private CodeCentre(float[] vector, float[] rotated, double squaredNorm)
    {
        _vector = vector;
        _rotated = rotated;
        SquaredNorm = squaredNorm;
        IsZero = squaredNorm == 0;
    }

    /// <summary>The centre c (d floats).</summary>
    public ReadOnlySpan<float> Vector => _vector;

    /// <summary>Πc, the centre in the rotated frame of the codes.</summary>
    public ReadOnlySpan<float> Rotated => _rotated;

    /// <summary>‖c‖², summed in double.</summary>
    public double SquaredNorm { get; }

    /// <summary>True for the zero centre (plain, uncentred codes).</summary>
    public bool IsZero { get; }

    /// <summary>The zero centre of dimension <paramref name="dimension"/>.</summary>
    public static CodeCentre Zero(int dimension) => new(new float[dimension], new float[dimension], 0);

    /// <summary>A centre at <paramref name="vector"/> (copied; finite coordinates), rotated by <paramref name="rotation"/>.</summary>
    /// <exception cref="ArgumentException">Wrong length or a non-finite coordinate.</exception>
    public static CodeCentre Create(ReadOnlySpan<float> vector, HadamardRotation rotation, SimdLevel level)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        double squares = VectorChecks.SquaredNorm(vector, rotation.Dimension, nameof(vector), level);
        float[] copy = vector.ToArray();
        var rotated = new float[copy.Length];
        rotation.Forward(copy, rotated);
        return new CodeCentre(copy, rotated, squares);
    }

    /// <summary>⟨c, v⟩ in double.</summary>
    public double Dot(ReadOnlySpan<float> v, SimdLevel level) => IsZero ? 0 : FixedOrderSums.Dot(_vector, v, level);
}

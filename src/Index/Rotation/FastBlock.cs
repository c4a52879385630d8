using System.Numerics;

namespace VectorDb.Index.Rotation;

/// <summary>
/// A length with an exact fast Hadamard transform: a power of two (Sylvester H_n, stages of a+b / a-b) or
/// 12·2^k (Kronecker H_12 ⊗ H_m with m = 2^k, laid out as 12 rows of m contiguous floats: index = row·m + column).
/// Both matrices are symmetric, so the unnormalized transform applied twice is n·I.
/// </summary>
internal readonly struct FastBlock
{
    /// <summary>Order of the Paley matrix used by <see cref="IsKron12"/> blocks.</summary>
    public const int PaleyOrder = 12;

    private FastBlock(int length, bool isKron12)
    {
        Length = length;
        IsKron12 = isKron12;
    }

    /// <summary>Number of coordinates the block transforms.</summary>
    public int Length { get; }

    /// <summary>True for 12·2^k (H_12 ⊗ H_m), false for a plain power of two.</summary>
    public bool IsKron12 { get; }

    /// <summary>Length of one Walsh-Hadamard row: m = Length/12 for Kronecker blocks, Length for powers of two.</summary>
    public int RowLength => IsKron12 ? Length / PaleyOrder : Length;

    /// <summary>Number of rows the power-of-two transform runs on (12 or 1).</summary>
    public int RowCount => IsKron12 ? PaleyOrder : 1;

    /// <summary>1/√Length: the factor that makes one block transform orthonormal.</summary>
    public float Scale => (float)(1.0 / Math.Sqrt(Length));

    public static bool IsFastLength(int length) =>
        length >= 1 && (BitOperations.IsPow2(length) || (length % PaleyOrder == 0 && BitOperations.IsPow2(length / PaleyOrder)));

    /// <summary>The block for an exact fast length (power of two wins for lengths that are both, which none are).</summary>
    public static FastBlock ForLength(int length)
    {
        if (!IsFastLength(length))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "not a power of two or 12·2^k");
        }
        return new FastBlock(length, !BitOperations.IsPow2(length));
    }

    /// <summary>The largest fast length ≤ <paramref name="dimension"/>. Fast lengths are spaced by ratios ≤ 4/3
    /// (…, 64, 96, 128, 192, 256, …), so the result is always > 3/4 of the dimension for dimension ≥ 4.</summary>
    public static FastBlock LargestAtMost(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        int pow2 = (int)BitOperations.RoundUpToPowerOf2((uint)dimension + 1) >> 1;
        int kron = 0;
        if (dimension >= PaleyOrder)
        {
            kron = PaleyOrder * ((int)BitOperations.RoundUpToPowerOf2((uint)(dimension / PaleyOrder) + 1) >> 1);
        }
        return ForLength(Math.Max(pow2, kron));
    }
}

using System.Numerics;
using VectorDb.Index.Common;

namespace VectorDb.Index.Tests.Rotation.Reference;

/// <summary>
/// Independent oracle for HadamardRotation, written from the documented definition only (docs/rotation.md), in
/// double precision: every matrix entry is computed from its closed form (Sylvester parity, Paley II from quadratic
/// residues mod 5, Kronecker product) and applied as a dense matrix-vector product, O(d²) per round. Shares no code
/// with the product except SplitMix64, which has its own known-answer tests.
/// </summary>
internal sealed class DenseRotationOracle
{
    private readonly int _dimension;
    private readonly int _rounds;
    private readonly int _blockLength;
    private readonly bool[][] _negate; // [stage][window coordinate]

    public DenseRotationOracle(int dimension, ulong seed, int rounds)
    {
        _dimension = dimension;
        _rounds = rounds;
        _blockLength = LargestFastLength(dimension);
        int stages = _blockLength == dimension ? rounds : 2 * rounds;
        _negate = new bool[stages][];
        var generator = new SplitMix64(seed);
        for (int s = 0; s < stages; s++)
        {
            _negate[s] = new bool[_blockLength];
            for (int word = 0; word * 64 < _blockLength; word++)
            {
                ulong bits = generator.NextUInt64();
                for (int b = 0; b < 64 && word * 64 + b < _blockLength; b++)
                {
                    _negate[s][word * 64 + b] = ((bits >> b) & 1) == 1;
                }
            }
        }
    }

    /// <summary>The 12 × 12 Paley II matrix [[C+I, C-I], [C-I, -C-I]] with C = [[0, 1ᵀ], [1, Q]],
    /// Q[i][j] = χ(j - i) mod 5.</summary>
    public static int[,] Paley12()
    {
        int[,] c = new int[6, 6];
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 6; j++)
            {
                c[i, j] = (i, j) switch
                {
                    (0, 0) => 0,
                    (0, _) or (_, 0) => 1,
                    _ => QuadraticCharacterMod5(j - i),
                };
            }
        }
        int[,] h = new int[12, 12];
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 6; j++)
            {
                int identity = i == j ? 1 : 0;
                h[i, j] = c[i, j] + identity;
                h[i, j + 6] = c[i, j] - identity;
                h[i + 6, j] = c[i, j] - identity;
                h[i + 6, j + 6] = -c[i, j] - identity;
            }
        }
        return h;
    }

    public static int LargestFastLength(int d)
    {
        int best = 1;
        for (int n = 1; n <= d; n++)
        {
            bool pow2 = BitOperations.IsPow2(n);
            bool kron = n % 12 == 0 && BitOperations.IsPow2(n / 12);
            if (pow2 || kron)
            {
                best = n;
            }
        }
        return best;
    }

    /// <summary>Unnormalized ±1 entry of the fast block matrix of length n (Sylvester or H_12 ⊗ H_(n/12)).</summary>
    public static int BlockEntry(int n, int row, int column, int[,] paley)
    {
        if (BitOperations.IsPow2(n))
        {
            return BitOperations.PopCount((uint)(row & column)) % 2 == 0 ? 1 : -1;
        }
        int m = n / 12;
        int sylvester = BitOperations.PopCount((uint)(row % m & column % m)) % 2 == 0 ? 1 : -1;
        return paley[row / m, column / m] * sylvester;
    }

    public double[] Forward(ReadOnlySpan<float> input)
    {
        double[] x = ToDouble(input);
        bool overlapping = _blockLength != _dimension;
        for (int r = 0; r < _rounds; r++)
        {
            // Single block: D_r then B. Overlapping windows: D_2r and F on [0, t), then D_2r+1 and T on [d-t, d).
            int stage = overlapping ? 2 * r : r;
            ApplySigns(x, stage, 0);
            ApplyBlock(x, 0);
            if (overlapping)
            {
                ApplySigns(x, stage + 1, _dimension - _blockLength);
                ApplyBlock(x, _dimension - _blockLength);
            }
        }
        return x;
    }

    public double[] Inverse(ReadOnlySpan<float> input)
    {
        double[] x = ToDouble(input);
        bool overlapping = _blockLength != _dimension;
        for (int r = _rounds - 1; r >= 0; r--)
        {
            // Transpose of T·D'·F·D is D·Fᵀ·D'·Tᵀ; blocks are applied through their transposes explicitly.
            int stage = overlapping ? 2 * r : r;
            if (overlapping)
            {
                ApplyBlockTransposed(x, _dimension - _blockLength);
                ApplySigns(x, stage + 1, _dimension - _blockLength);
            }
            ApplyBlockTransposed(x, 0);
            ApplySigns(x, stage, 0);
        }
        return x;
    }

    private void ApplySigns(double[] x, int stage, int offset)
    {
        for (int i = 0; i < _blockLength; i++)
        {
            if (_negate[stage][i])
            {
                x[offset + i] = -x[offset + i];
            }
        }
    }

    private void ApplyBlock(double[] x, int offset) => MultiplyWindow(x, offset, transpose: false);

    private void ApplyBlockTransposed(double[] x, int offset) => MultiplyWindow(x, offset, transpose: true);

    private void MultiplyWindow(double[] x, int offset, bool transpose)
    {
        int n = _blockLength;
        int[,] paley = Paley12();
        double scale = 1.0 / Math.Sqrt(n);
        double[] result = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++)
            {
                int entry = transpose ? BlockEntry(n, j, i, paley) : BlockEntry(n, i, j, paley);
                sum += entry * x[offset + j];
            }
            result[i] = sum * scale;
        }
        result.CopyTo(x, offset);
    }

    private static int QuadraticCharacterMod5(int value)
    {
        int v = ((value % 5) + 5) % 5;
        return v switch { 0 => 0, 1 or 4 => 1, _ => -1 };
    }

    private static double[] ToDouble(ReadOnlySpan<float> input)
    {
        double[] x = new double[input.Length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = input[i];
        }
        return x;
    }
}

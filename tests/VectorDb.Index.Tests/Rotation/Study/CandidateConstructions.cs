using System.Numerics;
using VectorDb.Index.Common;
using VectorDb.Index.Rotation;
using VectorDb.Index.Tests.Rotation.Reference;

namespace VectorDb.Index.Tests.Rotation.Study;

/// <summary>
/// Exact-dimension rotations considered for d that is neither 2^k nor 12·2^k, as slow double-precision simulators
/// (the chosen one is the real <see cref="HadamardRotation"/>). Each maps a unit vector to its rotated image.
/// </summary>
internal static class CandidateConstructions
{
    public delegate double[] Rotate(float[] x, ulong seed);

    public static IReadOnlyList<(string Name, Rotate Rotate)> All { get; } =
    [
        ("overlap+inner signs, fast windows (chosen)", (x, seed) => Chosen(x, seed, HadamardRotation.DefaultRounds)),
        ("overlap, no inner signs", (x, seed) => Overlap(x, seed, FastLengthAtMost(x.Length), innerSigns: false)),
        ("overlap+inner signs, pow2 windows", (x, seed) => Overlap(x, seed, Pow2AtMost(x.Length), innerSigns: true)),
        ("block-diagonal pow2 + permutation", BlockDiagonalWithPermutation),
        ("chosen, 1 round", (x, seed) => Chosen(x, seed, 1)),
    ];

    /// <summary>Butterfly additions per round (the transform's cost model; sign flips and copies are extra).</summary>
    public static long AdditionsPerRound(string name, int d) => name switch
    {
        _ when name.StartsWith("overlap+inner signs, pow2", StringComparison.Ordinal) => 2 * BlockAdditions(Pow2AtMost(d)),
        _ when name.StartsWith("overlap", StringComparison.Ordinal) || name.StartsWith("chosen", StringComparison.Ordinal)
            => (FastLengthAtMost(d) == d ? 1 : 2) * BlockAdditions(FastLengthAtMost(d)),
        _ => BinaryDecomposition(d).Sum(BlockAdditions),
    };

    private static double[] Chosen(float[] x, ulong seed, int rounds)
    {
        var rotation = new HadamardRotation(x.Length, seed, rounds);
        float[] y = new float[x.Length];
        rotation.Forward(x, y);
        return y.Select(v => (double)v).ToArray();
    }

    private static double[] Overlap(float[] x, ulong seed, int t, bool innerSigns)
    {
        double[] y = x.Select(v => (double)v).ToArray();
        var generator = new SplitMix64(seed);
        for (int round = 0; round < HadamardRotation.DefaultRounds; round++)
        {
            if (innerSigns)
            {
                FlipWindow(y, 0, t, ref generator);
            }
            else
            {
                FlipWindow(y, 0, y.Length, ref generator);
            }
            Block(y, 0, t);
            if (t < y.Length)
            {
                if (innerSigns)
                {
                    FlipWindow(y, y.Length - t, t, ref generator);
                }
                Block(y, y.Length - t, t);
            }
        }
        return y;
    }

    /// <summary>Qdrant-style: d split into its binary decomposition (1000 = 512+256+128+64+32+8), and per round
    /// signs, a seeded random permutation, then the block-diagonal Walsh-Hadamard.</summary>
    private static double[] BlockDiagonalWithPermutation(float[] x, ulong seed)
    {
        double[] y = x.Select(v => (double)v).ToArray();
        var generator = new SplitMix64(seed);
        int[] blocks = BinaryDecomposition(y.Length);
        for (int round = 0; round < HadamardRotation.DefaultRounds; round++)
        {
            FlipWindow(y, 0, y.Length, ref generator);
            int[] permutation = Enumerable.Range(0, y.Length).ToArray();
            for (int i = permutation.Length - 1; i > 0; i--)
            {
                int j = generator.NextInt(i + 1);
                (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
            }
            y = permutation.Select(p => y[p]).ToArray();
            int offset = 0;
            foreach (int length in blocks)
            {
                Block(y, offset, length);
                offset += length;
            }
        }
        return y;
    }

    private static void FlipWindow(double[] y, int offset, int length, ref SplitMix64 generator)
    {
        for (int word = 0; word * 64 < length; word++)
        {
            ulong bits = generator.NextUInt64();
            for (int b = 0; b < 64 && word * 64 + b < length; b++)
            {
                if (((bits >> b) & 1) == 1)
                {
                    y[offset + word * 64 + b] = -y[offset + word * 64 + b];
                }
            }
        }
    }

    /// <summary>Orthonormal fast block on y[offset, offset + n): Paley-12 columns (if 12·2^k), then Walsh-Hadamard
    /// rows, then 1/√n.</summary>
    private static void Block(double[] y, int offset, int n)
    {
        bool kron = !BitOperations.IsPow2(n);
        int m = kron ? n / 12 : n;
        if (kron)
        {
            int[,] paley = DenseRotationOracle.Paley12();
            double[] column = new double[12];
            for (int c = 0; c < m; c++)
            {
                for (int r = 0; r < 12; r++)
                {
                    column[r] = 0;
                    for (int s = 0; s < 12; s++)
                    {
                        column[r] += paley[r, s] * y[offset + s * m + c];
                    }
                }
                for (int r = 0; r < 12; r++)
                {
                    y[offset + r * m + c] = column[r];
                }
            }
        }
        for (int row = 0; row < (kron ? 12 : 1); row++)
        {
            int start = offset + row * m;
            for (int h = 1; h < m; h <<= 1)
            {
                for (int i = 0; i < m; i += 2 * h)
                {
                    for (int j = i; j < i + h; j++)
                    {
                        (y[start + j], y[start + j + h]) = (y[start + j] + y[start + j + h], y[start + j] - y[start + j + h]);
                    }
                }
            }
        }
        double scale = 1.0 / Math.Sqrt(n);
        for (int i = offset; i < offset + n; i++)
        {
            y[i] *= scale;
        }
    }

    private static long BlockAdditions(int n)
    {
        bool kron = !BitOperations.IsPow2(n);
        int m = kron ? n / 12 : n;
        return (long)n * BitOperations.Log2((uint)m) + (kron ? 72L * m : 0);
    }

    public static int FastLengthAtMost(int d) => DenseRotationOracle.LargestFastLength(d);

    private static int Pow2AtMost(int d) => (int)BitOperations.RoundUpToPowerOf2((uint)d + 1) / 2;

    private static int[] BinaryDecomposition(int d) =>
        Enumerable.Range(0, 31).Reverse().Select(b => 1 << b).Where(b => (d & b) != 0).ToArray();
}

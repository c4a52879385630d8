using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Common;

namespace VectorDb.Index.Rotation;

/// <summary>
/// A seeded randomized Hadamard rotation Π of R^d: an exactly orthogonal d × d map (no padding) applied in
/// O(d log d), used to spread any vector's energy evenly over its coordinates before scalar quantization.
/// <para>
/// One round r is x ← B·D_r·x with D_r a random ±1 diagonal (see <see cref="RotationSigns"/>) and B an orthonormal
/// Hadamard-type transform chosen by <see cref="Construction"/>:
/// <list type="bullet">
/// <item>"pow2" (d = 2^k): B = H_d/√d, the Sylvester Walsh-Hadamard matrix.</item>
/// <item>"kron12" (d = 12·2^k, e.g. 384, 768, 1536, 3072): B = (H_12 ⊗ H_(d/12))/√d with the symmetric Paley H_12
/// (<see cref="Paley12"/>); coordinate i = row·(d/12) + column.</item>
/// <item>"overlap-pow2" / "overlap-kron12" (any other d): with t the largest fast length ≤ d (t &gt; 3d/4 for d ≥ 4)
/// and B_t the orthonormal block of that length, one round is two stages, x ← T·D'_r·F·D_r·x: F applies B_t to the
/// head window [0, t), T to the tail window [d - t, d), and D_r, D'_r are independent random signs on those windows.
/// The windows overlap in ≥ d/2 coordinates, so every output depends on every input; the inner signs D'_r make the
/// tail stage a genuine randomized Hadamard round (without them, F·D·e_0 is a structured ±1 column that T maps back
/// to a spike). docs/rotation.md gives the measurements behind this choice.</item>
/// </list>
/// The rotation is the product of the rounds; the inverse applies the transposed stages in reverse order
/// (all blocks are symmetric, so each stage inverts as: block transform, then the same signs).
/// WARNING: baked into every stored record: the construction for each d, the Paley matrix, the sign derivation and
/// the round count. The storage layer persists (dimension, seed, rounds).
/// </para>
/// <para>
/// Forward and Inverse are thread-safe (the instance is immutable after construction, scratch lives in the output
/// span), allocation-free, and give bit-identical results at every <see cref="SimdLevel"/>.
/// </para>
/// </summary>
public sealed class HadamardRotation
{
    /// <summary>Two rounds: one round leaves sparse inputs far from Gaussian (a one-hot vector maps to ±1/√d
    /// everywhere); two bring every coordinate within O(d^-1/2) of N(0, 1/d) for any input.</summary>
    public const int DefaultRounds = 2;

    /// <summary>Largest accepted round count (three suffice even for multi-dimensional codebooks).</summary>
    public const int MaxRounds = 16;

    /// <summary>Largest accepted dimension.</summary>
    public const int MaxDimension = 1 << 24;

    private readonly uint[] _signs;      // Stages × BlockLength sign-bit masks, stage-major (RotationSigns).
    private readonly FastBlock _block;   // The fast block: the whole vector, or the two overlapping windows' length.
    private readonly float _blockScale;  // 1/√(block length), applied once per block transform.
    private readonly int _stagesPerRound; // 1 (single block) or 2 (head and tail windows).

    /// <summary>Creates the rotation for <paramref name="dimension"/> coordinates.</summary>
    /// <param name="dimension">Number of coordinates d ≥ 1.</param>
    /// <param name="seed">Seed of the sign diagonals (persist it).</param>
    /// <param name="rounds">Number of sign-flip + transform rounds, 1 … <see cref="MaxRounds"/> (persist it).</param>
    /// <param name="level">Kernel width; null picks <see cref="SimdCapabilities.Best"/>. Must be in
    /// <see cref="SimdCapabilities.Available"/>. Every level gives the same bits.</param>
    public HadamardRotation(int dimension, ulong seed, int rounds = DefaultRounds, SimdLevel? level = null)
    {
        if (dimension < 1 || dimension > MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension,
                $"The dimension must be between 1 and {MaxDimension}.");
        }
        if (rounds < 1 || rounds > MaxRounds)
        {
            throw new ArgumentOutOfRangeException(nameof(rounds), rounds,
                $"The round count must be between 1 and {MaxRounds} ({DefaultRounds} is the default).");
        }
        SimdLevel chosen = level ?? SimdCapabilities.Best;
        if (!SimdCapabilities.Available.Contains(chosen))
        {
            throw new ArgumentException(
                $"SIMD level {chosen} is not available in this process; use one of {string.Join(", ", SimdCapabilities.Available)}.",
                nameof(level));
        }
        Dimension = dimension;
        Seed = seed;
        Rounds = rounds;
        Level = chosen;
        _block = FastBlock.LargestAtMost(dimension);
        _blockScale = _block.Scale;
        IsOverlapping = _block.Length != dimension;
        string blockName = _block.IsKron12 ? "kron12" : "pow2";
        Construction = IsOverlapping ? "overlap-" + blockName : blockName;
        _stagesPerRound = IsOverlapping ? 2 : 1;
        _signs = RotationSigns.Generate(_block.Length, rounds * _stagesPerRound, seed);
    }

    /// <summary>Number of coordinates d of inputs and outputs.</summary>
    public int Dimension { get; }

    /// <summary>Seed of the sign diagonals.</summary>
    public ulong Seed { get; }

    /// <summary>Number of rounds R.</summary>
    public int Rounds { get; }

    /// <summary>The kernel width actually used.</summary>
    public SimdLevel Level { get; }

    /// <summary>Short stable name of the exact-d construction: "pow2", "kron12", "overlap-pow2" or "overlap-kron12".</summary>
    public string Construction { get; }

    /// <summary>Length of the fast transform block: d itself, or the overlapping windows' length t &lt; d.</summary>
    public int BlockLength => _block.Length;

    internal bool IsOverlapping { get; }

    /// <summary>output = Π·input. <paramref name="output"/> may be the same memory as <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A span's length is not <see cref="Dimension"/>.</exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        ReadOnlySpan<float> source = Prepare(input, output);
        for (int round = 0; round < Rounds; round++)
        {
            ForwardRound(round == 0 ? source : output, output, round);
        }
    }

    /// <summary>output = Πᵀ·input, the exact inverse of <see cref="Forward"/>. <paramref name="output"/> may be the
    /// same memory as <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A span's length is not <see cref="Dimension"/>.</exception>
    public void Inverse(ReadOnlySpan<float> input, Span<float> output)
    {
        ReadOnlySpan<float> source = Prepare(input, output);
        for (int round = Rounds - 1; round >= 0; round--)
        {
            InverseRound(round == Rounds - 1 ? source : output, output, round);
        }
    }

    /// <summary>One forward round r (one stage for fast d, the head and tail window stages otherwise) from source to
    /// output: spans of exactly <see cref="Dimension"/>, equal or disjoint memory. Exposed for the benchmark and the
    /// parity tests; <see cref="Forward"/> is R of these.</summary>
    internal void ForwardRound(ReadOnlySpan<float> source, Span<float> output, int round)
    {
        switch (Level)
        {
            case SimdLevel.Vector512:
                ForwardRound<SimdHadamardKernel<Vector512Ops, Vector512<float>>>(source, output, round);
                break;
            case SimdLevel.Vector256:
                ForwardRound<SimdHadamardKernel<Vector256Ops, Vector256<float>>>(source, output, round);
                break;
            case SimdLevel.Vector128:
                ForwardRound<SimdHadamardKernel<Vector128Ops, Vector128<float>>>(source, output, round);
                break;
            default:
                ForwardRound<ScalarHadamardKernel>(source, output, round);
                break;
        }
    }

    /// <summary>One inverse round r: the transposes of round r's stages, in reverse order.</summary>
    internal void InverseRound(ReadOnlySpan<float> source, Span<float> output, int round)
    {
        switch (Level)
        {
            case SimdLevel.Vector512:
                InverseRound<SimdHadamardKernel<Vector512Ops, Vector512<float>>>(source, output, round);
                break;
            case SimdLevel.Vector256:
                InverseRound<SimdHadamardKernel<Vector256Ops, Vector256<float>>>(source, output, round);
                break;
            case SimdLevel.Vector128:
                InverseRound<SimdHadamardKernel<Vector128Ops, Vector128<float>>>(source, output, round);
                break;
            default:
                InverseRound<ScalarHadamardKernel>(source, output, round);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ForwardRound<TKernel>(ReadOnlySpan<float> source, Span<float> output, int round)
        where TKernel : struct, IHadamardKernel
    {
        int t = _block.Length;
        ReadOnlySpan<uint> headSigns = StageSigns(round * _stagesPerRound);
        TKernel.BlockTransform(source, output, _block, headSigns, _blockScale, default);
        if (!IsOverlapping)
        {
            return;
        }
        if (!source.Overlaps(output))
        {
            source.Slice(t).CopyTo(output.Slice(t));
        }
        Span<float> tail = output.Slice(Dimension - t);
        TKernel.BlockTransform(tail, tail, _block, StageSigns(round * 2 + 1), _blockScale, default);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void InverseRound<TKernel>(ReadOnlySpan<float> source, Span<float> output, int round)
        where TKernel : struct, IHadamardKernel
    {
        int t = _block.Length;
        ReadOnlySpan<uint> headSigns = StageSigns(round * _stagesPerRound);
        if (!IsOverlapping)
        {
            TKernel.BlockTransform(source, output, _block, default, _blockScale, headSigns);
            return;
        }
        // Stages in reverse: tail window (transform, then its signs), then head window.
        int tailStart = Dimension - t;
        TKernel.BlockTransform(source.Slice(tailStart), output.Slice(tailStart), _block, default, _blockScale,
            StageSigns(round * 2 + 1));
        if (!source.Overlaps(output))
        {
            source.Slice(0, tailStart).CopyTo(output);
        }
        TKernel.BlockTransform(output, output, _block, default, _blockScale, headSigns);
    }

    private ReadOnlySpan<uint> StageSigns(int stage) => new(_signs, stage * _block.Length, _block.Length);

    /// <summary>Validates lengths; when input and output partially overlap, copies input into output first so the
    /// kernels only ever see equal or disjoint memory.</summary>
    private ReadOnlySpan<float> Prepare(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != Dimension)
        {
            throw new ArgumentException(
                $"The input has {input.Length} coordinates; this rotation needs exactly {Dimension}.", nameof(input));
        }
        if (output.Length != Dimension)
        {
            throw new ArgumentException(
                $"The output has {output.Length} coordinates; this rotation needs exactly {Dimension}.", nameof(output));
        }
        if (input.Overlaps(output, out int elementOffset) && elementOffset != 0)
        {
            input.CopyTo(output);
            return output;
        }
        return input;
    }
}

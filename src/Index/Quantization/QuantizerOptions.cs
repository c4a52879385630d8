using VectorDb.Index.Rotation;

namespace VectorDb.Index.Quantization;

/// <summary>
/// Everything that defines the meaning of a stored record: scheme, dimension, bits per coordinate, rotation seed and
/// rounds, codebook id (and, implicitly, <see cref="CodeLayout.LayoutVersion"/>).
/// WARNING: baked into every stored record; the storage layer persists all of these fields.
/// </summary>
/// <param name="Dimension">Vector dimension d ≥ 1.</param>
/// <param name="Bits">Bits per coordinate b in 1..8 (tq-prod: b−1 codebook bits + 1 QJL bit).</param>
/// <param name="Seed">Seed of the rotation Π (tq-prod derives its QJL projection seed from it).</param>
/// <param name="Scheme">Quantizer; eden-unbiased by default.</param>
/// <param name="CodebookId">"gauss" (default) or "beta".</param>
/// <param name="RotationRounds">Sign-flip + Hadamard rounds of Π (2 by default).</param>
public sealed record QuantizerOptions(
    int Dimension,
    int Bits,
    ulong Seed,
    QuantizerScheme Scheme = QuantizerScheme.EdenUnbiased,
    string CodebookId = Codebook.GaussianId,
    int RotationRounds = HadamardRotation.DefaultRounds)
{
    /// <summary>Bits of the Lloyd-Max index of each coordinate: b, or b − 1 for tq-prod (0 means no index part).</summary>
    public int CodeBits => Scheme == QuantizerScheme.TurboQuantProd ? Bits - 1 : Bits;

    /// <summary>Throws an ArgumentException naming the first invalid field.</summary>
    public void Validate()
    {
        if (Dimension < 1 || Dimension > HadamardRotation.MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(Dimension), Dimension, $"dimension must be 1 to {HadamardRotation.MaxDimension}.");
        }
        if (Bits is < Codebook.MinBits or > Codebook.MaxBits)
        {
            throw new ArgumentOutOfRangeException(nameof(Bits), Bits, $"bits per coordinate must be {Codebook.MinBits} to {Codebook.MaxBits}.");
        }
        if (!Enum.IsDefined(Scheme))
        {
            throw new ArgumentOutOfRangeException(nameof(Scheme), Scheme, "unknown quantization scheme.");
        }
        if (CodebookId is not (Codebook.GaussianId or Codebook.BetaId))
        {
            throw new ArgumentException($"unknown codebook id '{CodebookId}'; expected \"{Codebook.GaussianId}\" or \"{Codebook.BetaId}\".", nameof(CodebookId));
        }
        if (CodebookId == Codebook.BetaId && Dimension < 2)
        {
            throw new ArgumentException($"the \"{Codebook.BetaId}\" codebook needs d ≥ 2; use \"{Codebook.GaussianId}\" for d = 1.", nameof(CodebookId));
        }
        if (RotationRounds < 1 || RotationRounds > HadamardRotation.MaxRounds)
        {
            throw new ArgumentOutOfRangeException(nameof(RotationRounds), RotationRounds, $"rotation rounds must be 1 to {HadamardRotation.MaxRounds}.");
        }
    }
}

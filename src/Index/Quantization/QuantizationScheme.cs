namespace VectorDb.Index.Quantization;

/// <summary>
/// The four quantizers. All rotate with the same seeded Hadamard rotation Π and quantize z = √d·Πx/‖x‖ with a
/// Lloyd-Max codebook; they differ in the per-vector scale and in whether a QJL residual is stored
/// (algorithms.md §3–4). Persisted by its <see cref="QuantizationSchemes.Id"/>.
/// </summary>
public enum QuantizationScheme
{
    /// <summary>"eden-unbiased" (the default): b-bit codes, scale S = ‖x‖²/⟨Πx, c⟩, so E⟨q, x̂⟩ = ⟨q, x⟩.</summary>
    EdenUnbiased,

    /// <summary>"eden-biased": b-bit codes, MSE-optimal scale S = ⟨Πx, c⟩/‖c‖² (least-squares projection).</summary>
    EdenBiased,

    /// <summary>"tq-mse" (TurboQuant_mse): b-bit codes, scale fixed by the norm: x̂ = ‖x‖·Πᵀc/√d.</summary>
    TurboQuantMse,

    /// <summary>"tq-prod" (TurboQuant_prod): (b−1)-bit tq-mse codes + 1-bit QJL signs of the residual + its norm.</summary>
    TurboQuantProd,
}

/// <summary>Stable string ids of <see cref="QuantizationScheme"/> values (persisted, used on command lines).</summary>
public static class QuantizationSchemes
{
    /// <summary>Every scheme, default first.</summary>
    public static IReadOnlyList<QuantizationScheme> All { get; } =
        [QuantizationScheme.EdenUnbiased, QuantizationScheme.EdenBiased, QuantizationScheme.TurboQuantMse, QuantizationScheme.TurboQuantProd];

    /// <summary>The persisted id. WARNING: baked into every stored collection manifest; never rename.</summary>
    public static string Id(this QuantizationScheme scheme) => scheme switch
    {
        QuantizationScheme.EdenUnbiased => "eden-unbiased",
        QuantizationScheme.EdenBiased => "eden-biased",
        QuantizationScheme.TurboQuantMse => "tq-mse",
        QuantizationScheme.TurboQuantProd => "tq-prod",
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown quantization scheme"),
    };

    /// <summary>Parses an id such as "eden-unbiased".</summary>
    public static QuantizationScheme Parse(string id)
    {
        foreach (var scheme in All)
        {
            if (string.Equals(scheme.Id(), id, StringComparison.Ordinal))
            {
                return scheme;
            }
        }
        throw new ArgumentException($"unknown quantization scheme '{id}'; expected one of {string.Join(", ", All.Select(s => s.Id()))}.", nameof(id));
    }

    /// <summary>
    /// Whether the inner-product estimate is unbiased (eden-unbiased, tq-prod). Unbiased schemes store the true norm
    /// ‖x‖ for L2/cosine; biased ones store ‖x̂‖, so their L2 estimate is the exact distance to the reconstruction.
    /// </summary>
    public static bool IsUnbiased(this QuantizationScheme scheme) =>
        scheme is QuantizationScheme.EdenUnbiased or QuantizationScheme.TurboQuantProd;
}

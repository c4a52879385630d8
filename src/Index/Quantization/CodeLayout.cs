using System.Buffers.Binary;

namespace VectorDb.Index.Quantization;

/// <summary>
/// Byte layout of one encoded vector (a "record"). WARNING: baked into every stored record; any change needs a new
/// <see cref="LayoutVersion"/>, which the storage layer persists next to the quantizer options.
/// <code>
/// offset 0            codes: the CodeBits-bit Lloyd-Max indices of the d rotated coordinates, index 0 = smallest
///                     centroid, packed LSB-first (<see cref="BitPacking"/>), CodeBytes = ⌈d·CodeBits/8⌉ bytes
/// SignOffset          tq-prod only: d QJL sign bits, LSB-first, bit 1 = +1, bit 0 = −1, ⌈d/8⌉ bytes
/// MetadataOffset      float32 little-endian fields, unaligned:
///                       Scale A      (every scheme)
///                       QjlScale B   (tq-prod only)
///                       Norm N       (every scheme)
/// </code>
/// Estimators, with ŷ = Πq the rotated query, ŝ = P·ŷ its QJL projection (tq-prod) and c the codebook centroids:
/// <code>
/// ⟨q, x⟩ ≈ ip = A · Σ_j ŷ_j · c[code_j]  (+ B · Σ_j ŝ_j · sign_j   for tq-prod)
/// ‖q − x‖² ≈ max(0, ‖q‖² + N² − 2·ip)        cos(q, x) ≈ ip / (‖q‖·N)   (0 when ‖q‖·N = 0)
/// </code>
/// N is ‖x‖ for the unbiased schemes (eden-unbiased, tq-prod) and ‖x̂‖ for the biased ones (eden-biased, tq-mse),
/// whose L2 estimate is then the exact squared distance to the reconstruction (never negative before rounding).
/// A is ‖x‖²/⟨Πx, c⟩ (eden-unbiased), ⟨Πx, c⟩/‖c‖² (eden-biased) or ‖x‖/√d (tq-mse, tq-prod);
/// B = γ·√(π/2)·κ_d/d with γ the residual norm and κ_d = E‖g‖ for g ~ N(0, I_d) (≈ √d), see docs/codec.md.
/// A zero vector stores the code of z = 0 everywhere and A = B = N = 0.
/// <para><b>Version 2</b> (<see cref="LayoutVersion"/>, the records a <c>VectorIndex</c> stores): for the schemes that
/// support centring (<see cref="SupportsCentring"/>: every scheme but tq-prod) the codes are of the residual
/// r = x − c to a centre c, A is the scheme's scale of r, and the second float is the offset B instead of N:
/// β = ⟨c, r⟩ − A·⟨Πc, q⟩ for inner product and cosine, 2β − ‖x‖² for L2. With ŷ = Πq the rotated query:
/// <code>
/// ⟨q, x⟩ ≈ ⟨q, c⟩ + β + A·Σ_j ŷ_j·c[code_j]      ‖q‖² − ‖q − x‖² ≈ 2⟨q, c⟩ + (2β − ‖x‖²) + 2A·Σ_j ŷ_j·c[code_j]
/// </code>
/// A record encoded against the zero centre (written before its collection's centre was fixed) stores A with its
/// sign bit set (−A, or −0 for A = 0): <see cref="IsUncentred"/>. A is never negative otherwise. tq-prod records are
/// the same in both versions (uncentred, with N). Version 1 records are the quantizer's own output (A, N).</para>
/// </summary>
public sealed record CodeLayout
{
    /// <summary>Version of this layout. WARNING: baked into every stored record.</summary>
    public const int LayoutVersion = 2;

    /// <summary>The previous version: uncentred records with (A, N), still read (docs/codec.md).</summary>
    public const int UncentredLayoutVersion = 1;

    private CodeLayout(QuantizerScheme scheme, int dimension, int codeBits)
    {
        Scheme = scheme;
        Dimension = dimension;
        CodeBits = codeBits;
        CodeBytes = BitPacking.PackedLength(dimension, codeBits);
        bool qjl = scheme == QuantizerScheme.TurboQuantProd;
        SignOffset = qjl ? CodeBytes : -1;
        SignBytes = qjl ? BitPacking.PackedLength(dimension, 1) : 0;
        MetadataOffset = CodeBytes + SignBytes;
        ScaleOffset = MetadataOffset;
        QjlScaleOffset = qjl ? MetadataOffset + 4 : -1;
        NormOffset = MetadataOffset + (qjl ? 8 : 4);
        MetadataFloats = qjl ? 3 : 2;
        RecordSize = MetadataOffset + 4 * MetadataFloats;
    }

    /// <summary>Scheme the layout belongs to.</summary>
    public QuantizerScheme Scheme { get; }

    /// <summary>Number of coordinates d.</summary>
    public int Dimension { get; }

    /// <summary>Bits per Lloyd-Max index (b, or b − 1 for tq-prod; 0 means the record has no index part).</summary>
    public int CodeBits { get; }

    /// <summary>Length of the index part, ⌈d·CodeBits/8⌉.</summary>
    public int CodeBytes { get; }

    /// <summary>Offset of the QJL sign bits, or −1 when the scheme has none.</summary>
    public int SignOffset { get; }

    /// <summary>Length of the sign part, ⌈d/8⌉ for tq-prod, else 0.</summary>
    public int SignBytes { get; }

    /// <summary>Offset of the first metadata float.</summary>
    public int MetadataOffset { get; }

    /// <summary>Offset of the float32 A.</summary>
    public int ScaleOffset { get; }

    /// <summary>Offset of the float32 B, or −1 when the scheme has no QJL part.</summary>
    public int QjlScaleOffset { get; }

    /// <summary>Offset of the float32 N.</summary>
    public int NormOffset { get; }

    /// <summary>Number of float32 metadata fields.</summary>
    public int MetadataFloats { get; }

    /// <summary>Total bytes per record.</summary>
    public int RecordSize { get; }

    /// <summary>Storage per vector in bits, metadata and byte padding included.</summary>
    public int BitsPerVector => 8 * RecordSize;

    /// <summary>The layout of a record for these options.</summary>
    public static CodeLayout For(QuantizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new CodeLayout(options.Scheme, options.Dimension, options.CodeBits);
    }

    /// <summary>Whether version 2 records of this scheme are centred (every scheme but tq-prod).</summary>
    public bool SupportsCentring => Scheme != QuantizerScheme.TurboQuantProd && CodeBits > 0;

    /// <summary>Version 2: whether a centred-scheme record was encoded against the zero centre (A's sign bit).</summary>
    public bool IsUncentred(ReadOnlySpan<byte> record) => float.IsNegative(ReadScale(record));

    /// <summary>Version 2: B, the offset of a centred-scheme record (the slot version 1 uses for N).</summary>
    public float ReadOffset(ReadOnlySpan<byte> record) => ReadFloat(record, NormOffset);

    /// <summary>A, the factor of the codebook sum.</summary>
    public float ReadScale(ReadOnlySpan<byte> record) => ReadFloat(record, ScaleOffset);

    /// <summary>B, the factor of the QJL sign sum (0 for schemes without one).</summary>
    public float ReadQjlScale(ReadOnlySpan<byte> record) => QjlScaleOffset < 0 ? 0f : ReadFloat(record, QjlScaleOffset);

    /// <summary>N, the norm used by the L2 and cosine estimates.</summary>
    public float ReadNorm(ReadOnlySpan<byte> record) => ReadFloat(record, NormOffset);

    /// <summary>The packed index part of a record.</summary>
    public ReadOnlySpan<byte> Codes(ReadOnlySpan<byte> record) => record.Slice(0, CodeBytes);

    /// <summary>The packed QJL sign bits of a record (empty for schemes without them).</summary>
    public ReadOnlySpan<byte> Signs(ReadOnlySpan<byte> record) => SignOffset < 0 ? default : record.Slice(SignOffset, SignBytes);

    internal void WriteMetadata(Span<byte> record, float scale, float qjlScale, float norm)
    {
        BinaryPrimitives.WriteSingleLittleEndian(record.Slice(ScaleOffset), scale);
        if (QjlScaleOffset >= 0)
        {
            BinaryPrimitives.WriteSingleLittleEndian(record.Slice(QjlScaleOffset), qjlScale);
        }
        BinaryPrimitives.WriteSingleLittleEndian(record.Slice(NormOffset), norm);
    }

    internal void CheckRecord(ReadOnlySpan<byte> record, string parameterName)
    {
        if (record.Length != RecordSize)
        {
            throw new ArgumentException($"a {Scheme.Id()} record for d={Dimension}, {CodeBits} index bits is {RecordSize} bytes; got {record.Length}.", parameterName);
        }
    }

    private static float ReadFloat(ReadOnlySpan<byte> record, int offset) => BinaryPrimitives.ReadSingleLittleEndian(record.Slice(offset, 4));
}

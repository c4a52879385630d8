using VectorDb.Index.Common;
using VectorDb.Index.Quantization;

namespace VectorDb.Index.Scan;

/// <summary>
/// A collection's scan code family, chosen once from its code width b: the fast scan (<see cref="FastScanCodes"/>,
/// <see cref="FastScanLut"/>, <see cref="FastScanScorer"/>) at 1, 2 and 4 bits; the int8 grid
/// (<see cref="Int8GridCodes"/>, <see cref="Int8Query"/>, <see cref="Int8DotScorer"/>) at 3 and 5-8 bits, where the VNNI
/// integer dot is ~75× faster than float gathers (docs/scan.md) at the price of scoring 8-bit codes at about 7-bit
/// accuracy before re-ranking; none for tq-prod at b = 1 (QJL signs only). tq-prod's signs are 1-bit fast-scan codes
/// with centroids −1/+1. The partitions' stores (<c>CodePartition</c>), each query's tables and the block scorers all
/// come from here, so the b → family choice is made in one place. Immutable; shared by every partition and query of the collection.
/// </summary>
internal sealed class CodeFamily
{
    /// <summary>Centroids of the QJL sign "codebook": bit 0 = −1, bit 1 = +1.</summary>
    private static readonly float[] s_signCentroids = [-1f, 1f];

    private CodeFamily(int dimension, int codeBits, Int8Grid? grid, bool hasSigns, SimdLevel level)
    {
        Dimension = dimension;
        CodeBits = codeBits;
        Grid = grid;
        HasSigns = hasSigns;
        Level = level;
    }

    /// <summary>The family for codes of <paramref name="codebook"/> (null: no codebook part, tq-prod at b = 1).</summary>
    /// <param name="dimension">Coordinates per vector.</param>
    /// <param name="codebook">The quantizer's codebook, or null.</param>
    /// <param name="hasSigns">Whether rows carry tq-prod QJL signs.</param>
    /// <param name="level">Kernel width of the scorers.</param>
    public static CodeFamily For(int dimension, Codebook? codebook, bool hasSigns, SimdLevel level)
    {
        int bits = codebook?.Bits ?? 0;
        Int8Grid? grid = bits > 0 && !FastScanCodes.SupportsBits(bits) ? new Int8Grid(codebook!.Centroids) : null;
        return new CodeFamily(dimension, bits, grid, hasSigns, level);
    }

    public int Dimension { get; }

    /// <summary>Bits of the codebook index part (0 = none).</summary>
    public int CodeBits { get; }

    /// <summary>Whether the codes are in the fast-scan layout (b = 1, 2, 4).</summary>
    public bool IsFastScan => FastScanCodes.SupportsBits(CodeBits);

    /// <summary>The codebook on the int8 grid (b = 3, 5..8), else null.</summary>
    public Int8Grid? Grid { get; }

    /// <summary>Whether rows carry tq-prod QJL signs.</summary>
    public bool HasSigns { get; }

    public SimdLevel Level { get; }

    /// <summary>A new, empty fast-scan store (b = 1, 2, 4), else null.</summary>
    public FastScanCodes? NewFastCodes() => IsFastScan ? new FastScanCodes(Dimension, CodeBits) : null;

    /// <summary>A new, empty int8-grid store (b = 3, 5..8), else null.</summary>
    public Int8GridCodes? NewGridCodes() => Grid is null ? null : new Int8GridCodes(Dimension, Grid);

    /// <summary>A new, empty store for QJL signs (1-bit fast-scan codes) when rows carry them, else null.</summary>
    public FastScanCodes? NewSignCodes() => HasSigns ? new FastScanCodes(Dimension, 1) : null;

    /// <summary>One query's lookup tables for this family (built per query by <see cref="ScanQueryTables.Build"/>).</summary>
    public ScanQueryTables NewQueryTables() => new(
        IsFastScan ? new FastScanLut(Dimension, CodeBits) : null,
        Grid is null ? null : new Int8Query(Dimension),
        HasSigns ? new FastScanLut(Dimension, 1) : null);

    /// <summary>The block scorer of the codebook part of a partition's codes for one query, or null when there is none.</summary>
    public IBlockScorer? CodeScorer(FastScanCodes? fastCodes, Int8GridCodes? gridCodes, ScanQueryTables tables) =>
        fastCodes is not null ? new FastScanScorer(fastCodes, tables.Codes!, Level)
        : gridCodes is not null ? new Int8DotScorer(gridCodes, tables.Grid!, Level)
        : null;

    /// <summary>The block scorer of a partition's QJL signs for one query.</summary>
    public IBlockScorer SignScorer(FastScanCodes signs, ScanQueryTables tables) => new FastScanScorer(signs, tables.Signs!, Level);

    /// <summary>The sign tables' centroids (−1, +1).</summary>
    internal static ReadOnlySpan<float> SignCentroids => s_signCentroids;
}

/// <summary>One query's lookup tables for a <see cref="CodeFamily"/>: one of the codebook tables (fast-scan or int8
/// grid, none for tq-prod at b = 1) and the QJL sign tables when rows carry signs. Reused from query to query.</summary>
internal sealed class ScanQueryTables(FastScanLut? codes, Int8Query? grid, FastScanLut? signs)
{
    /// <summary>Fast-scan tables of the codebook part (b = 1, 2, 4).</summary>
    public FastScanLut? Codes { get; } = codes;

    /// <summary>The query on the int8 grid (b = 3, 5..8).</summary>
    public Int8Query? Grid { get; } = grid;

    /// <summary>Tables of the QJL signs (tq-prod).</summary>
    public FastScanLut? Signs { get; } = signs;

    /// <summary>
    /// Builds the tables for one query: the codebook part's from Πq (<paramref name="rotated"/>) and the
    /// <paramref name="centroids"/>, the signs' from the QJL projection (<paramref name="projected"/>).
    /// </summary>
    public void Build(ReadOnlySpan<float> rotated, ReadOnlySpan<float> projected, ReadOnlySpan<float> centroids)
    {
        Codes?.Build(rotated, centroids);
        Grid?.Build(rotated);
        Signs?.Build(projected, CodeFamily.SignCentroids);
    }
}

using VectorDb.Index.Common;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

/// <summary>
/// One scannable list of codes (the whole collection for a flat index, one IVF list otherwise): the codes in a scan
/// layout, and per local row the global row, the factor A (or 2A for L2), the additive term (−N² for L2) and, for
/// tq-prod, the factor B of the QJL sign sum. Rows are only appended; deleted rows are masked by a tombstone bitmap
/// until the index is rebuilt. Not thread-safe for writes: the owning <see cref="VectorIndex"/> serialises them.
/// </summary>
internal sealed class CodePartition
{
    private int[] _globalRows = new int[64];
    private float[] _factors = new float[64];
    private float[] _offsets;
    // 64-byte aligned: the per-row pre-filter loads 16 of each per 512-bit step (RowBounds).
    private AlignedArray<float> _inverseFactors;
    private AlignedArray<float> _offsetRatios;
    private float _maxInverse;
    private float _maxRatioMagnitude;
    private float[] _signFactors;
    private ulong[] _deleted = new ulong[1];

    /// <param name="family">The collection's code family: the stores the codes (and tq-prod's QJL signs) go in.</param>
    /// <param name="hasOffsets">Whether rows carry an additive term (L2, centred codes).</param>
    public CodePartition(CodeFamily family, bool hasOffsets)
    {
        ArgumentNullException.ThrowIfNull(family);
        CodeBits = family.CodeBits;
        FastCodes = family.NewFastCodes();
        GridCodes = family.NewGridCodes();
        Signs = family.NewSignCodes();
        bool hasSigns = family.HasSigns;
        _offsets = hasOffsets ? new float[64] : [];
        _inverseFactors = new AlignedArray<float>(hasOffsets ? 64 : 0);
        _offsetRatios = new AlignedArray<float>(hasOffsets ? 64 : 0);
        _signFactors = hasSigns ? new float[64] : [];
    }

    /// <summary>Bits of the codebook index part (0: tq-prod at b = 1, signs only).</summary>
    public int CodeBits { get; }

    /// <summary>Codes in the fast-scan layout (b = 1, 2, 4), else null.</summary>
    public FastScanCodes? FastCodes { get; }

    /// <summary>Codes on the int8 centroid grid (b = 3, 5..8), else null.</summary>
    public Int8GridCodes? GridCodes { get; }

    /// <summary>tq-prod QJL sign bits in the fast-scan layout (as 1-bit codes: 0 = −1, 1 = +1), else null.</summary>
    public FastScanCodes? Signs { get; }

    /// <summary>Rows appended so far, deleted ones included.</summary>
    public int Count { get; private set; }

    /// <summary>Rows not deleted.</summary>
    public int LiveCount { get; private set; }

    public ReadOnlySpan<int> GlobalRows => _globalRows.AsSpan(0, Count);

    public ReadOnlyMemory<float> Factors => _factors.AsMemory(0, Count);

    /// <summary>With offsets: 1/A and B/A per row for the scan's per-row pre-filter (<see cref="RowBounds"/>; 0 and +∞
    /// when A ≤ 0 or not finite: such a row always passes), with bounds on their magnitudes; empty otherwise.</summary>
    public RowTerms RowTerms => _inverseFactors.Length == 0
        ? default
        : new RowTerms(_inverseFactors.Slice(0, Count), _offsetRatios.Slice(0, Count), _maxInverse, _maxRatioMagnitude);

    /// <summary>Additive terms, or empty when the metric has none.</summary>
    public ReadOnlyMemory<float> Offsets => _offsets.Length == 0 ? ReadOnlyMemory<float>.Empty : _offsets.AsMemory(0, Count);

    public ReadOnlySpan<float> SignFactors => _signFactors.AsSpan(0, _signFactors.Length == 0 ? 0 : Count);

    /// <summary>Range of <see cref="Factors"/> and <see cref="Offsets"/> over every row, deleted ones included.</summary>
    public ScoreTermRange TermRange { get; private set; } = ScoreTermRange.Empty;

    /// <summary>Tombstones: bit (row mod 64) of word row/64 set = deleted.</summary>
    public ReadOnlyMemory<ulong> Deleted => _deleted;

    /// <summary>Appends one record's codes with its scoring terms; returns the local row.</summary>
    public int Add(int globalRow, ReadOnlySpan<byte> packedCodes, ReadOnlySpan<byte> packedSigns, float factor, float offset, float signFactor)
    {
        int row = Count;
        if (FastCodes is not null)
        {
            FastCodes.AddPacked(packedCodes);
        }
        else
        {
            GridCodes?.AddPacked(packedCodes);
        }
        Signs?.AddPacked(packedSigns);
        Grow(row + 1);
        SetTerms(row, globalRow, factor, offset, signFactor);
        Count = row + 1;
        LiveCount++;
        return row;
    }

    /// <summary>
    /// Appends one block of 32 empty rows (<see cref="Count"/> must be a multiple of 32), each marked deleted, with no
    /// global row (−1), factor 0 and, for the per-row pre-filter, B/A = −∞ so that no sum passes it: a scan never scores
    /// them. <see cref="Place"/> fills them. Pooled code lists (<see cref="CodeListBlocks"/>) give each list whole blocks.
    /// </summary>
    public void AddEmptyBlock()
    {
        const int blockSize = FastScanCodes.BlockSize;
        int first = Count;
        FastCodes?.AddEmptyBlock();
        GridCodes?.AddEmptyBlock();
        Signs?.AddEmptyBlock();
        Grow(first + blockSize);
        for (int row = first; row < first + blockSize; row++)
        {
            _globalRows[row] = -1;
            _factors[row] = 0;
            if (_offsets.Length > 0)
            {
                _offsets[row] = 0;
                _inverseFactors[row] = 0;
                _offsetRatios[row] = float.NegativeInfinity;
            }
            if (_signFactors.Length > 0)
            {
                _signFactors[row] = 0;
            }
            _deleted[row >> 6] |= 1UL << (row & 63);
        }
        Count = first + blockSize;
    }

    /// <summary>Fills an empty row (one <see cref="AddEmptyBlock"/> made, not yet placed) with one record's codes and
    /// scoring terms, and makes it live.</summary>
    public void Place(int row, int globalRow, ReadOnlySpan<byte> packedCodes, ReadOnlySpan<byte> packedSigns, float factor,
        float offset, float signFactor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Count);
        if (_globalRows[row] != -1)
        {
            throw new InvalidOperationException($"row {row} already holds global row {_globalRows[row]}.");
        }
        if (FastCodes is not null)
        {
            FastCodes.SetPacked(row, packedCodes);
        }
        else
        {
            GridCodes?.SetPacked(row, packedCodes);
        }
        Signs?.SetPacked(row, packedSigns);
        SetTerms(row, globalRow, factor, offset, signFactor);
        _deleted[row >> 6] &= ~(1UL << (row & 63));
        LiveCount++;
    }

    private void SetTerms(int row, int globalRow, float factor, float offset, float signFactor)
    {
        _globalRows[row] = globalRow;
        _factors[row] = factor;
        if (_offsets.Length > 0)
        {
            _offsets[row] = offset;
            bool usable = factor > 0 && float.IsFinite(factor) && float.IsFinite(offset);
            _inverseFactors[row] = usable ? 1 / factor : 0;
            _offsetRatios[row] = usable ? offset / factor : float.PositiveInfinity;
            if (usable)
            {
                // Only grows: a bound over deleted rows too is still a bound (only looser).
                _maxInverse = MathF.Max(_maxInverse, _inverseFactors[row]);
                _maxRatioMagnitude = MathF.Max(_maxRatioMagnitude, MathF.Abs(_offsetRatios[row]));
            }
        }
        if (_signFactors.Length > 0)
        {
            _signFactors[row] = signFactor;
        }
        TermRange = TermRange.Include(factor, _offsets.Length > 0 ? offset : 0f);
    }

    /// <summary>Makes room for <paramref name="rows"/> rows in one allocation per array (no effect if there is room).</summary>
    public void Reserve(int rows)
    {
        Grow(rows);
        FastCodes?.Reserve(rows);
        GridCodes?.Reserve(rows);
        Signs?.Reserve(rows);
    }

    /// <summary>Marks a local row deleted (idempotent).</summary>
    public void Delete(int localRow)
    {
        ulong bit = 1UL << (localRow & 63);
        if ((_deleted[localRow >> 6] & bit) == 0)
        {
            _deleted[localRow >> 6] |= bit;
            LiveCount--;
        }
    }

    private void Grow(int rows)
    {
        if (rows > _globalRows.Length)
        {
            int capacity = Math.Max(rows, _globalRows.Length * 2);
            Array.Resize(ref _globalRows, capacity);
            Array.Resize(ref _factors, capacity);
            if (_offsets.Length > 0)
            {
                Array.Resize(ref _offsets, capacity);
                _inverseFactors.Resize(capacity);
                _offsetRatios.Resize(capacity);
            }
            if (_signFactors.Length > 0)
            {
                Array.Resize(ref _signFactors, capacity);
            }
        }
        int words = (rows + 63) / 64;
        if (words > _deleted.Length)
        {
            Array.Resize(ref _deleted, Math.Max(words, _deleted.Length * 2));
        }
    }
}

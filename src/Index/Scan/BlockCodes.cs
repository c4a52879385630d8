using System.Buffers;
using System.Runtime.CompilerServices;

namespace VectorDb.Index.Scan;

/// <summary>
/// What the scan's code stores share (<see cref="FastScanCodes"/>, <see cref="Int8GridCodes"/>): rows of
/// <see cref="Dimension"/> codes of <see cref="BitsPerCode"/> bits each, in blocks of
/// <see cref="FastScanCodes.BlockSize"/> = 32 rows, appended one at a time (<see cref="Add"/>,
/// <see cref="AddPacked"/>) or as a whole empty block whose rows are filled later (<see cref="AddEmptyBlock"/>,
/// <see cref="SetPacked"/>). Rows never move. Each store lays a row into its own block format
/// (<see cref="Write"/>) and grows its own buffer (<see cref="EnsureCapacity"/>); the scan reads the blocks through
/// the sealed store's own (non-virtual) accessors, so this base adds no dispatch to the scan.
/// </summary>
public abstract class BlockCodes
{
    /// <summary>Codes unpacked on the stack up to this dimension; larger rows rent a buffer.</summary>
    private const int StackCodes = 1024;

    private protected BlockCodes(int dimension, int bitsPerCode)
    {
        Dimension = dimension;
        BitsPerCode = bitsPerCode;
    }

    /// <summary>Coordinates (codes) per row.</summary>
    public int Dimension { get; }

    /// <summary>Bits of one code.</summary>
    public int BitsPerCode { get; }

    /// <summary>Rows stored (empty rows of <see cref="AddEmptyBlock"/> included); row r is the r-th added.</summary>
    public int Count { get; private set; }

    /// <summary>Blocks holding at least one row: ⌈Count/32⌉.</summary>
    public int BlockCount => BlocksFor(Count);

    /// <summary>Appends one row given as one code per coordinate (each below 2^b); returns its row.</summary>
    public int Add(ReadOnlySpan<byte> codes)
    {
        if (codes.Length != Dimension)
        {
            throw new ArgumentException($"expected {Dimension} codes (one per coordinate), got {codes.Length}.", nameof(codes));
        }
        PackedCodes.ThrowIfCodeOutOfRange(codes, BitsPerCode);
        int row = Count;
        EnsureCapacity(row + 1);
        Write(row, codes);
        Count = row + 1;
        return row;
    }

    /// <summary>Appends one row given as LSB-first packed codes (the quantizer's record prefix); returns its row.</summary>
    public int AddPacked(ReadOnlySpan<byte> packed) => WriteUnpacked(packed, row: -1);

    /// <summary>Appends 32 empty rows as one block; <see cref="Count"/> must be a multiple of 32. Pooled code lists give
    /// each list whole blocks and fill their rows later (<see cref="SetPacked"/>).</summary>
    internal void AddEmptyBlock()
    {
        if (Count % FastScanCodes.BlockSize != 0)
        {
            throw new InvalidOperationException($"an empty block starts at a block boundary; the store has {Count} rows.");
        }
        EnsureCapacity(Count + FastScanCodes.BlockSize);
        Count += FastScanCodes.BlockSize;
    }

    /// <summary>Writes one row's LSB-first packed codes into an empty row (one <see cref="AddEmptyBlock"/> made, not yet
    /// written).</summary>
    internal void SetPacked(int row, ReadOnlySpan<byte> packed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Count);
        WriteUnpacked(packed, row);
    }

    /// <summary>Makes room for <paramref name="rows"/> rows in one allocation (no effect if there is room).</summary>
    internal void Reserve(int rows) => EnsureCapacity(rows);

    /// <summary>Lays row <paramref name="row"/>'s codes (one per coordinate) into its block, whose lanes for that row
    /// hold what a new or empty row holds.</summary>
    private protected abstract void Write(int row, ReadOnlySpan<byte> codes);

    /// <summary>Grows the store's buffer to hold <paramref name="rows"/> rows (whole blocks).</summary>
    private protected abstract void EnsureCapacity(int rows);

    /// <summary>Blocks that hold <paramref name="rows"/> rows: ⌈rows/32⌉.</summary>
    private protected static int BlocksFor(int rows) => (int)(((long)rows + FastScanCodes.BlockSize - 1) / FastScanCodes.BlockSize);

    /// <summary>Unpacks one row's packed codes, then appends them (<paramref name="row"/> −1, checked as <see cref="Add"/>
    /// checks) or writes them into the empty row <paramref name="row"/>; returns the row.</summary>
    [SkipLocalsInit]
    private int WriteUnpacked(ReadOnlySpan<byte> packed, int row)
    {
        byte[]? rented = null;
        Span<byte> codes = Dimension <= StackCodes ? stackalloc byte[Dimension]
            : (rented = ArrayPool<byte>.Shared.Rent(Dimension)).AsSpan(0, Dimension);
        try
        {
            PackedCodes.Unpack(packed, BitsPerCode, codes);
            if (row < 0)
            {
                return Add(codes);
            }
            Write(row, codes);
            return row;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

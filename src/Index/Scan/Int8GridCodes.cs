namespace VectorDb.Index.Scan;

/// <summary>
/// Codes stored as unsigned grid bytes u = g(code) + 128 (see <see cref="Int8Grid"/>) for the integer dot-product
/// path. Blocks of 32 vectors; within a block, coordinates in quads: quad q is 128 bytes, vector v's coordinates
/// 4q..4q+3 at bytes [4v, 4v+4), so one VPDPBUSD multiplies 8 vectors' quads by the broadcast query quad. Coordinates
/// past <see cref="Dimension"/> hold 128 (grid 0) and the query pads them with weight 0.
/// </summary>
public sealed class Int8GridCodes
{
    /// <summary>Bytes of one quad of one block: 32 vectors × 4 coordinates.</summary>
    internal const int QuadBytes = 4 * FastScanCodes.BlockSize;

    private byte[] _blocks;

    public Int8GridCodes(int dimension, Int8Grid grid, int initialCapacity = 0)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (dimension is < 1 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension,
                "dimension must be 1..65536 (the int32 sums stay exact up to 65536·127·255 < 2^31).");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        Dimension = dimension;
        Grid = grid;
        QuadCount = (dimension + 3) / 4;
        _blocks = new byte[(long)BlocksFor(initialCapacity) * BlockBytes];
    }

    public int Dimension { get; }

    public Int8Grid Grid { get; }

    public int BitsPerCode => Grid.BitsPerCode;

    /// <summary>⌈d/4⌉.</summary>
    public int QuadCount { get; }

    public int Count { get; private set; }

    public int BlockCount => BlocksFor(Count);

    public int BlockBytes => QuadCount * QuadBytes;

    /// <summary>Appends one vector given as one code per coordinate; returns its row.</summary>
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

    /// <summary>Appends 32 empty rows as one block (<see cref="FastScanCodes.AddEmptyBlock"/>); <see cref="Count"/>
    /// must be a multiple of 32.</summary>
    internal void AddEmptyBlock()
    {
        if (Count % FastScanCodes.BlockSize != 0)
        {
            throw new InvalidOperationException($"an empty block starts at a block boundary; the store has {Count} rows.");
        }
        EnsureCapacity(Count + FastScanCodes.BlockSize);
        Count += FastScanCodes.BlockSize;
    }

    /// <summary>Writes one vector's LSB-first packed codes into a row of an empty block (<see cref="AddEmptyBlock"/>).</summary>
    internal void SetPacked(int row, ReadOnlySpan<byte> packed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Count);
        byte[] codes = System.Buffers.ArrayPool<byte>.Shared.Rent(Dimension);
        PackedCodes.Unpack(packed, BitsPerCode, codes.AsSpan(0, Dimension));
        Write(row, codes.AsSpan(0, Dimension));
        System.Buffers.ArrayPool<byte>.Shared.Return(codes);
    }

    /// <summary>Writes row's grid bytes into its block (every byte of its lanes).</summary>
    private void Write(int row, ReadOnlySpan<byte> codes)
    {
        int first = checked(row / FastScanCodes.BlockSize * BlockBytes);
        Span<byte> block = _blocks.AsSpan(first, BlockBytes);
        int lane = row % FastScanCodes.BlockSize;
        for (int j = 0; j < QuadCount * 4; j++)
        {
            int grid = j < Dimension ? Grid.Value(codes[j]) : 0;
            block[j / 4 * QuadBytes + lane * 4 + j % 4] = (byte)(grid + 128);
        }
    }

    /// <summary>Appends one vector given as LSB-first packed codes; returns its row.</summary>
    public int AddPacked(ReadOnlySpan<byte> packed)
    {
        byte[] codes = System.Buffers.ArrayPool<byte>.Shared.Rent(Dimension);
        try
        {
            PackedCodes.Unpack(packed, BitsPerCode, codes.AsSpan(0, Dimension));
            return Add(codes.AsSpan(0, Dimension));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(codes);
        }
    }

    internal ReadOnlySpan<byte> Block(int block) => new(_blocks, checked(block * BlockBytes), BlockBytes);

    private static int BlocksFor(int vectors) => (int)(((long)vectors + FastScanCodes.BlockSize - 1) / FastScanCodes.BlockSize);

    /// <summary>Makes room for <paramref name="vectors"/> vectors in one allocation (no effect if there is room).</summary>
    internal void Reserve(int vectors) => EnsureCapacity(vectors);

    private void EnsureCapacity(int vectors)
    {
        long needed = (long)BlocksFor(vectors) * BlockBytes;
        if (needed <= _blocks.Length)
        {
            return;
        }
        long grown = Math.Max(needed, Math.Min((long)_blocks.Length * 2, Array.MaxLength / BlockBytes * (long)BlockBytes));
        if (grown > Array.MaxLength)
        {
            throw new InvalidOperationException($"int8-grid store is full: {Count} vectors of {Dimension} coordinates.");
        }
        // Fresh blocks are filled lazily by Add; padding coordinates are written there as 128.
        Array.Resize(ref _blocks, (int)grown);
    }
}

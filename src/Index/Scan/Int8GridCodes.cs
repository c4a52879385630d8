namespace VectorDb.Index.Scan;

/// <summary>
/// Codes stored as unsigned grid bytes u = g(code) + 128 (see <see cref="Int8Grid"/>) for the integer dot-product
/// path. Blocks of 32 vectors; within a block, coordinates in quads: quad q is 128 bytes, vector v's coordinates
/// 4q..4q+3 at bytes [4v, 4v+4), so one VPDPBUSD multiplies 8 vectors' quads by the broadcast query quad. Coordinates
/// past <see cref="BlockCodes.Dimension"/> hold 128 (grid 0) and the query pads them with weight 0.
/// </summary>
public sealed class Int8GridCodes : BlockCodes
{
    /// <summary>Bytes of one quad of one block: 32 vectors × 4 coordinates.</summary>
    internal const int QuadBytes = 4 * FastScanCodes.BlockSize;

    private byte[] _blocks;

    public Int8GridCodes(int dimension, Int8Grid grid, int initialCapacity = 0)
        : base(dimension, (grid ?? throw new ArgumentNullException(nameof(grid))).BitsPerCode)
    {
        if (dimension is < 1 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension,
                "dimension must be 1..65536 (the int32 sums stay exact up to 65536·127·255 < 2^31).");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        Grid = grid;
        QuadCount = (dimension + 3) / 4;
        _blocks = new byte[(long)BlocksFor(initialCapacity) * BlockBytes];
    }

    public Int8Grid Grid { get; }

    /// <summary>⌈d/4⌉.</summary>
    public int QuadCount { get; }

    public int BlockBytes => QuadCount * QuadBytes;

    /// <summary>Writes row's grid bytes into its block (every byte of its lanes).</summary>
    private protected override void Write(int row, ReadOnlySpan<byte> codes)
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

    internal ReadOnlySpan<byte> Block(int block) => new(_blocks, checked(block * BlockBytes), BlockBytes);

    private protected override void EnsureCapacity(int rows)
    {
        long needed = (long)BlocksFor(rows) * BlockBytes;
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

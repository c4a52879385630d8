namespace VectorDb.Index.Scan;

/// <summary>
/// Codes of any width 1..8 bits (meant for 3, 5, 6, 7 and 8, which do not fit nibbles) one byte per code, in blocks
/// of 32 vectors: coordinate j of a block is 32 consecutive bytes, byte v holding the code of vector v. One 8-byte
/// load widened to 8 int32 lanes is then the gather index vector for 8 vectors. Vectors past <see cref="Count"/> in
/// the last block hold code 0 and are masked by the scan driver.
/// </summary>
public sealed class ByteCodes
{
    private byte[] _blocks;

    /// <param name="dimension">Coordinates per vector, 1..65536.</param>
    /// <param name="bitsPerCode">1..8.</param>
    /// <param name="initialCapacity">Vectors to reserve room for; the store grows as needed.</param>
    public ByteCodes(int dimension, int bitsPerCode, int initialCapacity = 0)
    {
        PackedCodes.ValidateBits(bitsPerCode);
        if (dimension is < 1 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be 1..65536.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        Dimension = dimension;
        BitsPerCode = bitsPerCode;
        _blocks = new byte[(long)BlocksFor(initialCapacity) * BlockBytes];
    }

    public int Dimension { get; }

    public int BitsPerCode { get; }

    public int Count { get; private set; }

    public int BlockCount => BlocksFor(Count);

    /// <summary>Bytes of one block: Dimension·32.</summary>
    public int BlockBytes => Dimension * FastScanCodes.BlockSize;

    /// <summary>Appends one vector given as one code per coordinate (each below 2^b); returns its row.</summary>
    public int Add(ReadOnlySpan<byte> codes)
    {
        if (codes.Length != Dimension)
        {
            throw new ArgumentException($"expected {Dimension} codes (one per coordinate), got {codes.Length}.", nameof(codes));
        }
        PackedCodes.ThrowIfCodeOutOfRange(codes, BitsPerCode);
        int row = Count;
        EnsureCapacity(row + 1);
        Span<byte> block = _blocks.AsSpan(checked(row / FastScanCodes.BlockSize * BlockBytes), BlockBytes);
        int lane = row % FastScanCodes.BlockSize;
        for (int j = 0; j < Dimension; j++)
        {
            block[j * FastScanCodes.BlockSize + lane] = codes[j];
        }
        Count = row + 1;
        return row;
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

    /// <summary>The code of coordinate <paramref name="coordinate"/> of vector <paramref name="row"/>.</summary>
    public byte Code(int row, int coordinate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Count);
        ArgumentOutOfRangeException.ThrowIfNegative(coordinate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(coordinate, Dimension);
        return _blocks[(long)row / FastScanCodes.BlockSize * BlockBytes + coordinate * FastScanCodes.BlockSize + row % FastScanCodes.BlockSize];
    }

    internal ReadOnlySpan<byte> Block(int block) => new(_blocks, checked(block * BlockBytes), BlockBytes);

    private static int BlocksFor(int vectors) => (int)(((long)vectors + FastScanCodes.BlockSize - 1) / FastScanCodes.BlockSize);

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
            throw new InvalidOperationException($"byte-code store is full: {Count} vectors of {Dimension} coordinates.");
        }
        Array.Resize(ref _blocks, (int)grown);
    }
}

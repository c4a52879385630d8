namespace VectorDb.Index.Scan;

/// <summary>
/// 1-bit codes for the popcount path (RaBitQ-style): each vector is ⌈d/64⌉ little-endian words, bit j of the stream
/// = code of coordinate j, vectors back to back. Bits past <see cref="Dimension"/> are 0, so they never count.
/// The LSB-first packed record of a 1-bit quantizer is exactly this stream (zero-padded to whole words).
/// </summary>
public sealed class OneBitCodes
{
    private ulong[] _words;

    public OneBitCodes(int dimension, int initialCapacity = 0)
    {
        if (dimension is < 1 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be 1..65536.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        Dimension = dimension;
        WordsPerVector = (dimension + 63) / 64;
        _words = new ulong[(long)RoundToBlock(initialCapacity) * WordsPerVector];
    }

    public int Dimension { get; }

    public int WordsPerVector { get; }

    public int Count { get; private set; }

    public int BlockCount => (int)(((long)Count + FastScanCodes.BlockSize - 1) / FastScanCodes.BlockSize);

    /// <summary>Appends one vector given as one code (0 or 1) per coordinate; returns its row.</summary>
    public int Add(ReadOnlySpan<byte> codes)
    {
        if (codes.Length != Dimension)
        {
            throw new ArgumentException($"expected {Dimension} codes (one per coordinate), got {codes.Length}.", nameof(codes));
        }
        PackedCodes.ThrowIfCodeOutOfRange(codes, 1);
        int row = Count;
        EnsureCapacity(row + 1);
        Span<ulong> words = _words.AsSpan(row * WordsPerVector, WordsPerVector);
        for (int j = 0; j < Dimension; j++)
        {
            words[j >> 6] |= (ulong)codes[j] << (j & 63);
        }
        Count = row + 1;
        return row;
    }

    /// <summary>Appends one vector given as LSB-first packed bits (⌈d/8⌉ bytes); returns its row.</summary>
    public int AddPacked(ReadOnlySpan<byte> packed)
    {
        int needed = PackedCodes.PackedLength(Dimension, 1);
        if (packed.Length < needed)
        {
            throw new ArgumentException($"packed holds {packed.Length} bytes; {Dimension} 1-bit codes need {needed}.", nameof(packed));
        }
        int tail = Dimension & 7;
        if (tail != 0 && packed[needed - 1] >> tail != 0)
        {
            throw new ArgumentException($"bits past coordinate {Dimension} in the last byte must be 0.", nameof(packed));
        }
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the 1-bit layout copies bytes into words and assumes a little-endian machine.");
        }
        int row = Count;
        EnsureCapacity(row + 1);
        Span<byte> target = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_words.AsSpan(row * WordsPerVector, WordsPerVector));
        packed.Slice(0, needed).CopyTo(target);
        Count = row + 1;
        return row;
    }

    /// <summary>The words of rows [first, first + rows).</summary>
    internal ReadOnlySpan<ulong> Rows(int first, int rows) => new(_words, first * WordsPerVector, rows * WordsPerVector);

    private static int RoundToBlock(int vectors) => (int)(((long)vectors + 31) / 32 * 32);

    private void EnsureCapacity(int vectors)
    {
        long needed = (long)RoundToBlock(vectors) * WordsPerVector;
        if (needed <= _words.Length)
        {
            return;
        }
        long grown = Math.Max(needed, Math.Min((long)_words.Length * 2, Array.MaxLength / 8));
        if (grown > Array.MaxLength)
        {
            throw new InvalidOperationException($"1-bit store is full: {Count} vectors of {Dimension} coordinates.");
        }
        Array.Resize(ref _words, (int)grown);
    }
}

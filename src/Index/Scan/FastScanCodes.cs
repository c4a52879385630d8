using VectorDb.Index.Common;
namespace VectorDb.Index.Scan;

/// <summary>
/// Codes of 1, 2 or 4 bits per coordinate in the fast-scan layout: vectors in blocks of <see cref="BlockSize"/> = 32,
/// coordinates in groups of 4/b so that one group is one 4-bit nibble, and within a block the nibbles of one group
/// for all 32 vectors interleaved into 16 bytes, so that one 128-bit register lane holds a group for the whole
/// block and PSHUFB can look all 32 up in that group's 16-entry table.
/// <para>Byte p (0..15) of group g in a block holds, in its low nibble, group g of vector
/// <c>lowVector(p) = (p &amp; 1)·8 + p/2</c> and in its high nibble group g of vector <c>16 + lowVector(p)</c>. That
/// order makes the even bytes of a register the vectors 0..7 and the odd bytes 8..15, so the 16-bit accumulators of
/// the kernels come out in vector order without an interleave. Within a nibble, coordinate g·(4/b)+i sits at bits
/// [i·b, (i+1)·b).</para>
/// <para>Padding: coordinates past <see cref="BlockCodes.Dimension"/>, groups past the last real one (up to
/// <see cref="GroupCount"/>, a multiple of 4) and vectors past <see cref="BlockCodes.Count"/> in the last block all hold code 0;
/// the tables give padded coordinates weight 0 and padded groups all-zero rows, and the scan driver masks the
/// missing vectors, so padding contributes exactly 0.</para>
/// </summary>
public sealed class FastScanCodes : BlockCodes
{
    /// <summary>Vectors per block. WARNING: baked into the layout; the kernels assume it.</summary>
    public const int BlockSize = 32;

    /// <summary>Bytes of one group in one block (32 nibbles).</summary>
    internal const int GroupBytes = 16;

    private AlignedArray<byte> _blocks; // 64-byte aligned: every block's loads are whole cache lines

    /// <summary>Whether codes of <paramref name="bitsPerCode"/> bits use this layout (nibble tables): 1, 2 or 4;
    /// other widths are scanned as bytes on the int8 grid.</summary>
    public static bool SupportsBits(int bitsPerCode) => bitsPerCode is 1 or 2 or 4;

    /// <param name="dimension">Coordinates per vector, 1..65536.</param>
    /// <param name="bitsPerCode">1, 2 or 4.</param>
    /// <param name="initialCapacity">Vectors to reserve room for; the store grows as needed.</param>
    public FastScanCodes(int dimension, int bitsPerCode, int initialCapacity = 0)
        : base(dimension, bitsPerCode)
    {
        if (!SupportsBits(bitsPerCode))
        {
            throw new ArgumentOutOfRangeException(nameof(bitsPerCode), bitsPerCode,
                "the fast-scan layout takes 1, 2 or 4 bits per code; use Int8GridCodes for 3, 5, 6, 7 or 8.");
        }
        if (dimension is < 1 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be 1..65536.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        CoordinatesPerGroup = 4 / bitsPerCode;
        RealGroupCount = (dimension + CoordinatesPerGroup - 1) / CoordinatesPerGroup;
        GroupCount = (RealGroupCount + 3) & ~3;
        _blocks = new AlignedArray<byte>(checked(BlocksFor(initialCapacity) * BlockBytes));
    }

    /// <summary>Coordinates sharing one nibble: 4/b.</summary>
    public int CoordinatesPerGroup { get; }

    /// <summary>Groups holding at least one real coordinate: ⌈d·b/4⌉.</summary>
    public int RealGroupCount { get; }

    /// <summary>Groups per vector including padding: <see cref="RealGroupCount"/> rounded up to a multiple of 4.</summary>
    public int GroupCount { get; }

    /// <summary>Bytes of one block: GroupCount·16 (= GroupCount/2 bytes per vector).</summary>
    public int BlockBytes => GroupCount * GroupBytes;

    /// <summary>ORs row's codes into its block's lanes (which hold zeros: a new or empty row).</summary>
    private protected override void Write(int row, ReadOnlySpan<byte> codes)
    {
        Span<byte> block = _blocks.Slice(BlockOffset(row / BlockSize), BlockBytes);
        int lane = row % BlockSize;
        int shift = lane < 16 ? 0 : 4;
        int position = BytePosition(lane % 16);
        for (int g = 0; g < RealGroupCount; g++)
        {
            int nibble = 0;
            int first = g * CoordinatesPerGroup;
            for (int i = 0; i < CoordinatesPerGroup && first + i < Dimension; i++)
            {
                nibble |= codes[first + i] << (i * BitsPerCode);
            }
            block[g * GroupBytes + position] |= (byte)(nibble << shift);
        }
    }

    /// <summary>The nibble of group <paramref name="group"/> for vector <paramref name="row"/> (layout decoding).</summary>
    public int Nibble(int row, int group)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Count);
        ArgumentOutOfRangeException.ThrowIfNegative(group);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(group, GroupCount);
        int lane = row % BlockSize;
        byte packed = _blocks[BlockOffset(row / BlockSize) + group * GroupBytes + BytePosition(lane % 16)];
        return lane < 16 ? packed & 0xF : packed >> 4;
    }

    /// <summary>The bytes of block <paramref name="block"/> (groups in order, 16 bytes each).</summary>
    internal ReadOnlySpan<byte> Block(int block) => _blocks.Slice(BlockOffset(block), BlockBytes);

    /// <summary>The bytes of <paramref name="blocks"/> consecutive blocks from <paramref name="first"/> (bounds-checked once).</summary>
    internal ReadOnlySpan<byte> Blocks(int first, int blocks) => _blocks.Slice(BlockOffset(first), checked(blocks * BlockBytes));

    /// <summary>
    /// Asks the CPU to start loading the first <paramref name="bytes"/> of the codes (L1 prefetch hints, one per 64-byte
    /// line; no effect on results). IVF search calls it for the next list while it scans the current one: lists are
    /// small (a few KB) and scattered, so each would otherwise start with a cache miss the prefetcher cannot predict.
    /// </summary>
    internal unsafe void Prefetch(int bytes)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || Count == 0)
        {
            return;
        }
        int end = Math.Min(bytes, BlockCount * BlockBytes);
        fixed (byte* start = _blocks.Span)
        {
            for (int offset = 0; offset < end; offset += 64)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(start + offset);
            }
        }
    }

    /// <summary>Byte position within a group's 16 bytes of block lane w (0..15): even bytes hold 0..7, odd 8..15.</summary>
    internal static int BytePosition(int w) => w < 8 ? 2 * w : 2 * (w - 8) + 1;

    /// <summary>Inverse of <see cref="BytePosition"/>: the lane (0..15) whose nibble sits at byte p.</summary>
    internal static int LaneAt(int p) => (p & 1) * 8 + (p >> 1);

    private int BlockOffset(int block) => checked(block * BlockBytes);

    private protected override void EnsureCapacity(int rows)
    {
        long needed = (long)BlocksFor(rows) * BlockBytes;
        if (needed <= _blocks.Length)
        {
            return;
        }
        long grown = Math.Max(needed, Math.Min((long)_blocks.Length * 2, Array.MaxLength - 64));
        grown = Math.Max(grown, needed);
        if (grown > Array.MaxLength - 64)
        {
            throw new InvalidOperationException($"fast-scan store is full: {Count} vectors of {Dimension} coordinates.");
        }
        _blocks.Resize((int)(grown / BlockBytes * BlockBytes));
    }
}

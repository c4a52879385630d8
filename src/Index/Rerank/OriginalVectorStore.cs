using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VectorDb.Index.Rerank;

/// <summary>
/// The full-precision originals of a collection, addressed by slot, for exact re-scoring. Each slot holds one
/// vector of <see cref="Dimension"/> coordinates as float32 or float16 (<see cref="Precision"/>), its Euclidean
/// norm (for cosine), and a live bit. Rows live in fixed-size chunks that are allocated on first write, so growing
/// never copies and a collection is not limited to one 2 GB array.
/// </summary>
/// <remarks>
/// Threading: one writer at a time, and no reader while a write is in progress (the engine's collection lock
/// provides this). Concurrent readers without a writer are safe. Every write is reported to the registered
/// <see cref="IOriginalStoreListener"/>s before it returns.
/// </remarks>
public sealed class OriginalVectorStore
{
    /// <summary>Largest slot count a store accepts (slots are 0 ≤ slot &lt; this).</summary>
    public const int MaxSlotCount = 1 << 30;

    /// <summary>Largest finite float16 magnitude; float16 stores reject coordinates that would round past it.</summary>
    public const float MaxFloat16Magnitude = 65504f;

    /// <summary>Target bytes of one chunk's rows; chunk slot counts are a power of two near this.</summary>
    private const int TargetChunkBytes = 1 << 20;

    private readonly List<IOriginalStoreListener> _listeners = [];
    private Chunk?[] _chunks = [];

    /// <summary>Creates an empty store.</summary>
    /// <param name="dimension">Coordinates per vector, 1 or more.</param>
    /// <param name="precision">How the originals are stored.</param>
    public OriginalVectorStore(int dimension, OriginalsFormat precision)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        BytesPerCoordinateOf(precision); // rejects None: a store holds originals
        Dimension = dimension;
        Precision = precision;
        int rowBytes = dimension * BytesPerCoordinate;
        int slotsPerChunk = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, TargetChunkBytes / rowBytes));
        SlotsPerChunk = Math.Max(64, slotsPerChunk);
        ChunkShift = BitOperations.Log2((uint)SlotsPerChunk);
    }

    /// <summary>Coordinates per vector.</summary>
    public int Dimension { get; }

    /// <summary>float32 or float16 storage.</summary>
    public OriginalsFormat Precision { get; }

    /// <summary>Bytes one coordinate takes in this store (4 or 2).</summary>
    public int BytesPerCoordinate => Precision == OriginalsFormat.Float32 ? sizeof(float) : 2;

    /// <summary>Bytes per coordinate of originals kept as <paramref name="format"/>: 4 or 2. The guard of every
    /// Index type that holds or reads originals: <see cref="OriginalsFormat.None"/> (an index without originals,
    /// which never builds such a type) and unknown values are refused with an <see cref="ArgumentOutOfRangeException"/>.</summary>
    public static int BytesPerCoordinateOf(OriginalsFormat format) => format switch
    {
        OriginalsFormat.Float32 => sizeof(float),
        OriginalsFormat.Float16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Use Float32 or Float16."),
    };

    /// <summary>One more than the highest slot ever written: brute-force search scans [0, SlotCount).</summary>
    public int SlotCount { get; private set; }

    /// <summary>Number of live (written and not deleted) slots.</summary>
    public int LiveCount { get; private set; }

    /// <summary>Incremented by every upsert and every delete that changed something.</summary>
    public long Version { get; private set; }

    /// <summary>Slots per chunk (a power of two, at least 64).</summary>
    public int SlotsPerChunk { get; }

    private int ChunkShift { get; }

    /// <summary>Registers a listener told about every later change.</summary>
    public void AddListener(IOriginalStoreListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        _listeners.Add(listener);
    }

    /// <summary>Removes a listener added with <see cref="AddListener"/>; does nothing if it is not registered.</summary>
    public void RemoveListener(IOriginalStoreListener listener) => _listeners.Remove(listener);

    /// <summary>Stores <paramref name="vector"/> in <paramref name="slot"/>, replacing what was there, and marks it
    /// live. Nothing changes if the input is rejected.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The slot is negative or not below <see cref="MaxSlotCount"/>.</exception>
    /// <exception cref="ArgumentException">Wrong length, a NaN or infinite coordinate, or (float16) a coordinate
    /// whose magnitude exceeds <see cref="MaxFloat16Magnitude"/>.</exception>
    public void Upsert(int slot, ReadOnlySpan<float> vector)
    {
        ValidateSlot(slot);
        ValidateVector(vector);
        Chunk chunk = GetOrCreateChunk(slot >> ChunkShift);
        int row = slot & (SlotsPerChunk - 1);
        double squaredNorm;
        if (Precision == OriginalsFormat.Float32)
        {
            Span<float> destination = chunk.Float32.AsSpan(row * Dimension, Dimension);
            vector.CopyTo(destination);
            squaredNorm = SquaredNorm(destination);
        }
        else
        {
            Span<Half> destination = chunk.Float16.AsSpan(row * Dimension, Dimension);
            for (int j = 0; j < vector.Length; j++)
            {
                destination[j] = (Half)vector[j];
            }
            squaredNorm = SquaredNorm(destination);
        }
        Written(chunk, slot, squaredNorm);
    }

    /// <summary>
    /// Stores an original already in its stored form (<see cref="OriginalEncoding"/>: little-endian, this store's
    /// precision) in <paramref name="slot"/>, as <see cref="Upsert"/> does, without checking or converting its
    /// coordinates: for originals the index checked once (<see cref="Search.CheckedOriginal"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The slot is out of range.</exception>
    /// <exception cref="ArgumentException">Not <see cref="Dimension"/>·<see cref="BytesPerCoordinate"/> bytes.</exception>
    internal void UpsertStored(int slot, ReadOnlySpan<byte> stored)
    {
        ValidateSlot(slot);
        if (stored.Length != Dimension * BytesPerCoordinate)
        {
            throw new ArgumentException($"A stored original of this store is {Dimension * BytesPerCoordinate} bytes; got {stored.Length}.", nameof(stored));
        }
        Chunk chunk = GetOrCreateChunk(slot >> ChunkShift);
        int row = slot & (SlotsPerChunk - 1);
        double squaredNorm;
        if (Precision == OriginalsFormat.Float32)
        {
            Span<float> destination = chunk.Float32.AsSpan(row * Dimension, Dimension);
            OriginalEncoding.Widen(stored, Precision, destination);
            squaredNorm = SquaredNorm(destination);
        }
        else
        {
            Span<Half> destination = chunk.Float16.AsSpan(row * Dimension, Dimension);
            stored.CopyTo(MemoryMarshal.AsBytes(destination));
            if (!BitConverter.IsLittleEndian)
            {
                Span<ushort> words = MemoryMarshal.Cast<Half, ushort>(destination);
                BinaryPrimitives.ReverseEndianness(words, words);
            }
            squaredNorm = SquaredNorm(destination);
        }
        Written(chunk, slot, squaredNorm);
    }

    /// <summary>Widens an original in its stored form (<see cref="Search.CheckedOriginal.Bytes"/>: little-endian,
    /// <paramref name="format"/>) to float32 in <paramref name="vector"/> (one float per coordinate).</summary>
    public static void WidenStored(ReadOnlySpan<byte> stored, OriginalsFormat format, Span<float> vector)
    {
        if (stored.Length != vector.Length * BytesPerCoordinateOf(format))
        {
            throw new ArgumentException($"{vector.Length} coordinates of {format} are {vector.Length * BytesPerCoordinateOf(format)} bytes; got {stored.Length}.", nameof(stored));
        }
        OriginalEncoding.Widen(stored, format, vector);
    }

    /// <summary>Σ x² in double, coordinate by coordinate in order (the norm every write stores).</summary>
    private static double SquaredNorm(ReadOnlySpan<float> row)
    {
        double sum = 0;
        foreach (float value in row)
        {
            sum += (double)value * value;
        }
        return sum;
    }

    /// <summary><see cref="SquaredNorm(ReadOnlySpan{float})"/> of float16 coordinates (each exact in double).</summary>
    private static double SquaredNorm(ReadOnlySpan<Half> row)
    {
        double sum = 0;
        foreach (Half value in row)
        {
            double exact = (double)value;
            sum += exact * exact;
        }
        return sum;
    }

    /// <summary>The end of a write: the row's norm, its live bit, the counts and the listeners.</summary>
    private void Written(Chunk chunk, int slot, double squaredNorm)
    {
        int row = slot & (SlotsPerChunk - 1);
        chunk.Norms[row] = (float)Math.Sqrt(squaredNorm);
        ref ulong word = ref chunk.Live[row >> 6];
        ulong bit = 1UL << (row & 63);
        if ((word & bit) == 0)
        {
            word |= bit;
            LiveCount++;
        }
        SlotCount = Math.Max(SlotCount, slot + 1);
        Version++;
        Notify(slot);
    }

    /// <summary>Marks <paramref name="slot"/> deleted. Returns false (and changes nothing) if it was not live.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The slot is negative or not below <see cref="MaxSlotCount"/>.</exception>
    public bool Delete(int slot)
    {
        ValidateSlot(slot);
        int chunkIndex = slot >> ChunkShift;
        if (chunkIndex >= _chunks.Length || _chunks[chunkIndex] is not { } chunk)
        {
            return false;
        }
        int row = slot & (SlotsPerChunk - 1);
        ref ulong word = ref chunk.Live[row >> 6];
        ulong bit = 1UL << (row & 63);
        if ((word & bit) == 0)
        {
            return false;
        }
        word &= ~bit;
        LiveCount--;
        Version++;
        Notify(slot);
        return true;
    }

    /// <summary>True when the slot holds a vector that was written and not deleted. Any int is accepted.</summary>
    public bool IsLive(int slot)
    {
        if ((uint)slot >= (uint)SlotCount)
        {
            return false;
        }
        Chunk? chunk = _chunks[slot >> ChunkShift];
        int row = slot & (SlotsPerChunk - 1);
        return chunk is not null && (chunk.Live[row >> 6] & (1UL << (row & 63))) != 0;
    }

    /// <summary>Euclidean norm of the stored (after float16 rounding) vector, computed in float64. Slot must be live.</summary>
    public float GetNorm(int slot)
    {
        RequireLive(slot);
        return _chunks[slot >> ChunkShift]!.Norms[slot & (SlotsPerChunk - 1)];
    }

    /// <summary>The stored float32 row of a live slot (float32 stores only).</summary>
    public ReadOnlySpan<float> GetFloat32Row(int slot)
    {
        RequireLive(slot);
        RequirePrecision(OriginalsFormat.Float32);
        return _chunks[slot >> ChunkShift]!.Float32.AsSpan((slot & (SlotsPerChunk - 1)) * Dimension, Dimension);
    }

    /// <summary>The stored float16 row of a live slot (float16 stores only).</summary>
    public ReadOnlySpan<Half> GetFloat16Row(int slot)
    {
        RequireLive(slot);
        RequirePrecision(OriginalsFormat.Float16);
        return _chunks[slot >> ChunkShift]!.Float16.AsSpan((slot & (SlotsPerChunk - 1)) * Dimension, Dimension);
    }

    /// <summary>Writes the stored vector of a live slot, widened to float32, into <paramref name="destination"/>.</summary>
    public void CopyTo(int slot, Span<float> destination)
    {
        if (destination.Length != Dimension)
        {
            throw new ArgumentException($"Destination has {destination.Length} floats; the store's dimension is {Dimension}.", nameof(destination));
        }
        if (Precision == OriginalsFormat.Float32)
        {
            GetFloat32Row(slot).CopyTo(destination);
            return;
        }
        ReadOnlySpan<Half> row = GetFloat16Row(slot);
        for (int j = 0; j < row.Length; j++)
        {
            destination[j] = (float)row[j];
        }
    }

    /// <summary>Row access for kernels: the float32 row of an in-range slot, live or not (no checks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref float Float32RowUnchecked(int slot, out bool live)
    {
        Chunk chunk = ChunkOfUnchecked(slot, out int row, out live);
        return ref chunk.Float32[row * Dimension];
    }

    /// <summary>Row access for kernels: the float16 row of an in-range slot, live or not (no checks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref Half Float16RowUnchecked(int slot, out bool live)
    {
        Chunk chunk = ChunkOfUnchecked(slot, out int row, out live);
        return ref chunk.Float16[row * Dimension];
    }

    /// <summary>The chunk of an in-range slot, the slot's row inside it and whether that row is live (no checks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Chunk ChunkOfUnchecked(int slot, out int row, out bool live)
    {
        Chunk chunk = _chunks[slot >> ChunkShift]!;
        row = slot & (SlotsPerChunk - 1);
        live = (chunk.Live[row >> 6] & (1UL << (row & 63))) != 0;
        return chunk;
    }

    /// <summary>Norm of an in-range slot's row, live or not (no checks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal float NormUnchecked(int slot) => _chunks[slot >> ChunkShift]!.Norms[slot & (SlotsPerChunk - 1)];

    /// <summary>True when the slot's chunk exists, so the unchecked row accessors may be called.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool HasChunkFor(int slot)
    {
        int chunkIndex = slot >> ChunkShift;
        return (uint)chunkIndex < (uint)_chunks.Length && _chunks[chunkIndex] is not null;
    }

    private void ValidateSlot(int slot)
    {
        if ((uint)slot >= MaxSlotCount)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"Slots must be in [0, {MaxSlotCount}).");
        }
    }

    private void ValidateVector(ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimension)
        {
            throw new ArgumentException($"Vector has {vector.Length} coordinates; the store's dimension is {Dimension}.", nameof(vector));
        }
        for (int j = 0; j < vector.Length; j++)
        {
            float value = vector[j];
            if (!float.IsFinite(value))
            {
                throw new ArgumentException($"Coordinate {j} is {value}; originals must be finite.", nameof(vector));
            }
            if (Precision == OriginalsFormat.Float16 && !Half.IsFinite((Half)value))
            {
                throw new ArgumentException(
                    $"Coordinate {j} is {value}, beyond float16's range (±{MaxFloat16Magnitude}); store this collection as Float32 or rescale it.",
                    nameof(vector));
            }
        }
    }

    private void RequireLive(int slot)
    {
        if (!IsLive(slot))
        {
            throw new ArgumentException($"Slot {slot} is not live (never written, or deleted).", nameof(slot));
        }
    }

    private void RequirePrecision(OriginalsFormat wanted)
    {
        if (Precision != wanted)
        {
            throw new InvalidOperationException($"This store holds {Precision} originals, not {wanted}.");
        }
    }

    private Chunk GetOrCreateChunk(int chunkIndex)
    {
        if (chunkIndex >= _chunks.Length)
        {
            Array.Resize(ref _chunks, Math.Max(chunkIndex + 1, _chunks.Length * 2));
        }
        return _chunks[chunkIndex] ??= new Chunk(SlotsPerChunk, Dimension, Precision);
    }

    private void Notify(int slot)
    {
        foreach (IOriginalStoreListener listener in _listeners)
        {
            listener.OnSlotChanged(slot);
        }
    }

    /// <summary>SlotsPerChunk consecutive slots: rows (row-major, Dimension wide), norms and live bits.</summary>
    private sealed class Chunk(int slots, int dimension, OriginalsFormat precision)
    {
        public readonly float[] Float32 = precision == OriginalsFormat.Float32 ? new float[slots * dimension] : [];
        public readonly Half[] Float16 = precision == OriginalsFormat.Float16 ? new Half[slots * dimension] : [];
        public readonly float[] Norms = new float[slots];
        public readonly ulong[] Live = new ulong[(slots + 63) / 64];
    }
}

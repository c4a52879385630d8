using System.Runtime.CompilerServices;

namespace VectorDb.Index.Common;

/// <summary>
/// A growable array of <typeparamref name="T"/> whose element 0 sits on a 64-byte boundary, so that the scan kernels'
/// 512-bit loads of it never straddle two cache lines. A plain .NET array starts wherever the allocator put it (8-byte
/// alignment), which differs from one process to the next: the same index then scanned measurably faster or slower
/// depending on the run. The storage is allocated on the pinned object heap (it never moves, so the alignment
/// holds), one cache line longer than asked, and used from its first aligned element. Grows by copying.
/// </summary>
/// <typeparam name="T">An unmanaged element type whose size divides 64 (byte, float).</typeparam>
internal struct AlignedArray<T> where T : unmanaged
{
    private const int LineBytes = 64;
    private T[] _storage;
    private int _start;

    /// <summary>A zeroed array of <paramref name="length"/> elements.</summary>
    public AlignedArray(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        (_storage, _start) = Allocate(length);
        Length = length;
    }

    /// <summary>Usable elements.</summary>
    public int Length { get; private set; }

    /// <summary>Elements [0, Length).</summary>
    public readonly Span<T> Span => _storage.AsSpan(_start, Length);

    /// <summary>Element <paramref name="index"/> (bounds-checked).</summary>
    public readonly ref T this[int index] => ref Span[index];

    /// <summary>Elements [<paramref name="start"/>, start + <paramref name="length"/>) (bounds-checked).</summary>
    public readonly Span<T> Slice(int start, int length) => Span.Slice(start, length);

    /// <summary>Grows or shrinks to <paramref name="length"/> elements, keeping the first min(old, new) ones.</summary>
    public void Resize(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        (T[] storage, int start) = Allocate(length);
        Span[..Math.Min(Length, length)].CopyTo(storage.AsSpan(start));
        (_storage, _start, Length) = (storage, start, length);
    }

    private static unsafe (T[] Storage, int Start) Allocate(int length)
    {
        int perLine = LineBytes / Unsafe.SizeOf<T>();
        T[] storage = GC.AllocateArray<T>(checked(length + perLine), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref storage[0]);
        int start = (int)((LineBytes - address % LineBytes) % LineBytes) / Unsafe.SizeOf<T>();
        return (storage, start);
    }
}

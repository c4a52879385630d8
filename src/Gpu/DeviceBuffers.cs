using ILGPU;
using ILGPU.Runtime;

namespace VectorDb.Gpu;

/// <summary>Helpers over the nullable, dense one-dimensional device buffers the mirror and the scorer's workspace
/// hold (null: not allocated).</summary>
internal static class DeviceBuffers
{
    /// <summary>Device bytes <paramref name="buffer"/> holds (0 when not allocated).</summary>
    public static long Bytes<T>(MemoryBuffer1D<T, Stride1D.Dense>? buffer) where T : unmanaged => buffer?.LengthInBytes ?? 0;

    /// <summary>Disposes <paramref name="buffer"/> (if allocated) and clears the reference.</summary>
    public static void Free<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer) where T : unmanaged
    {
        buffer?.Dispose();
        buffer = null;
    }

    /// <summary>Elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) of
    /// <paramref name="view"/>.</summary>
    public static ArrayView<T> Range<T>(ArrayView<T> view, long start, long length) where T : unmanaged =>
        view.SubView(start, length);
}

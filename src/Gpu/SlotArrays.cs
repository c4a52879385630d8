using ILGPU;
using ILGPU.Runtime;
using VectorDb.Gpu.Kernels;

namespace VectorDb.Gpu;

/// <summary>
/// Device arrays for a run of slots, index-aligned: padded rows (<c>chunksPerRow</c> 16-byte chunks per slot), norms
/// and live flags (1 live, 0 deleted or never written). <see cref="DeviceMirror"/> holds two: the resident copy the
/// kernels score, and the staging that carries changed slots to the scatter kernel.
/// </summary>
internal sealed class SlotArrays : IDisposable
{
    private readonly MemoryBuffer1D<Chunk16, Stride1D.Dense> _rows;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _norms;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _live;
    private readonly int _chunksPerRow;

    private SlotArrays(MemoryBuffer1D<Chunk16, Stride1D.Dense> rows, MemoryBuffer1D<float, Stride1D.Dense> norms,
        MemoryBuffer1D<int, Stride1D.Dense> live, int slots, int chunksPerRow)
    {
        _rows = rows;
        _norms = norms;
        _live = live;
        Slots = slots;
        _chunksPerRow = chunksPerRow;
    }

    /// <summary>Slots the arrays hold.</summary>
    public int Slots { get; }

    /// <summary>Device bytes held.</summary>
    public long Bytes => _rows.LengthInBytes + _norms.LengthInBytes + _live.LengthInBytes;

    public ArrayView<Chunk16> Rows => _rows.View;

    public ArrayView<float> Norms => _norms.View;

    public ArrayView<int> Live => _live.View;

    /// <summary>Allocates arrays for <paramref name="slots"/> slots; throws <see cref="AcceleratorException"/> (with
    /// nothing left allocated) when the device cannot.</summary>
    public static SlotArrays Allocate(Accelerator accelerator, int slots, int chunksPerRow)
    {
        MemoryBuffer1D<Chunk16, Stride1D.Dense>? rows = null;
        MemoryBuffer1D<float, Stride1D.Dense>? norms = null;
        try
        {
            rows = accelerator.Allocate1D<Chunk16>((long)slots * chunksPerRow);
            norms = accelerator.Allocate1D<float>(slots);
            var live = accelerator.Allocate1D<int>(slots);
            return new SlotArrays(rows, norms, live, slots, chunksPerRow);
        }
        catch
        {
            DeviceBuffers.Free(ref rows);
            DeviceBuffers.Free(ref norms);
            throw;
        }
    }

    /// <summary>Copies host entries [0, <paramref name="count"/>) of <paramref name="rows"/> (<c>chunksPerRow</c>
    /// chunks each), <paramref name="norms"/> and <paramref name="live"/> into slots [<paramref name="start"/>,
    /// <paramref name="start"/> + <paramref name="count"/>).</summary>
    public void CopyFromHost(Chunk16[] rows, float[] norms, int[] live, int start, int count)
    {
        DeviceBuffers.Range(Rows, (long)start * _chunksPerRow, (long)count * _chunksPerRow)
            .CopyFromCPU(rows.AsSpan(0, count * _chunksPerRow));
        DeviceBuffers.Range(Norms, start, count).CopyFromCPU(norms.AsSpan(0, count));
        DeviceBuffers.Range(Live, start, count).CopyFromCPU(live.AsSpan(0, count));
    }

    public void Dispose()
    {
        _rows.Dispose();
        _norms.Dispose();
        _live.Dispose();
    }
}

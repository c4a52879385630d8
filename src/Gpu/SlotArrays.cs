using ILGPU;
using ILGPU.Runtime;
using VectorDb.Gpu.Kernels;

namespace VectorDb.Gpu;

/// <summary>
/// Device arrays for a run of slots, index-aligned: padded rows (<c>chunksPerRow</c> 16-byte chunks per slot), norms
/// and live flags (1 live, 0 deleted or never written). <see cref="DeviceMirror"/> holds two: the resident copy the
/// kernels score, and the staging that carries changed slots to the scatter kernel.
/// </summary>
/// <param name="rows">Padded rows, <paramref name="chunksPerRow"/> chunks per slot.</param>
/// <param name="norms">One norm per slot.</param>
/// <param name="live">One live flag per slot.</param>
/// <param name="slots">Slots the arrays hold.</param>
/// <param name="chunksPerRow">16-byte chunks per padded row.</param>
internal sealed class SlotArrays(
    MemoryBuffer1D<Chunk16, Stride1D.Dense> rows,
    MemoryBuffer1D<float, Stride1D.Dense> norms,
    MemoryBuffer1D<int, Stride1D.Dense> live,
    int slots,
    int chunksPerRow) : IDisposable
{
    /// <summary>Slots the arrays hold.</summary>
    public int Slots => slots;

    /// <summary>Device bytes held.</summary>
    public long Bytes => rows.LengthInBytes + norms.LengthInBytes + live.LengthInBytes;

    public ArrayView<Chunk16> Rows => rows.View;

    public ArrayView<float> Norms => norms.View;

    public ArrayView<int> Live => live.View;

    /// <summary>Allocates arrays for <paramref name="slotCount"/> slots of <paramref name="chunks"/> chunks; throws <see cref="AcceleratorException"/> (with
    /// nothing left allocated) when the device cannot.</summary>
    public static SlotArrays Allocate(Accelerator accelerator, int slotCount, int chunks)
    {
        MemoryBuffer1D<Chunk16, Stride1D.Dense>? newRows = null;
        MemoryBuffer1D<float, Stride1D.Dense>? newNorms = null;
        try
        {
            newRows = accelerator.Allocate1D<Chunk16>((long)slotCount * chunks);
            newNorms = accelerator.Allocate1D<float>(slotCount);
            var newLive = accelerator.Allocate1D<int>(slotCount);
            return new SlotArrays(newRows, newNorms, newLive, slotCount, chunks);
        }
        catch
        {
            DeviceBuffers.Free(ref newRows);
            DeviceBuffers.Free(ref newNorms);
            throw;
        }
    }

    /// <summary>Copies host entries [0, <paramref name="count"/>) of <paramref name="hostRows"/> (<c>chunksPerRow</c>
    /// chunks each), <paramref name="hostNorms"/> and <paramref name="hostLive"/> into slots [<paramref name="start"/>,
    /// <paramref name="start"/> + <paramref name="count"/>).</summary>
    public void CopyFromHost(Chunk16[] hostRows, float[] hostNorms, int[] hostLive, int start, int count)
    {
        DeviceBuffers.Range(Rows, (long)start * chunksPerRow, (long)count * chunksPerRow)
            .CopyFromCPU(hostRows.AsSpan(0, count * chunksPerRow));
        DeviceBuffers.Range(Norms, start, count).CopyFromCPU(hostNorms.AsSpan(0, count));
        DeviceBuffers.Range(Live, start, count).CopyFromCPU(hostLive.AsSpan(0, count));
    }

    public void Dispose()
    {
        rows.Dispose();
        norms.Dispose();
        live.Dispose();
    }
}

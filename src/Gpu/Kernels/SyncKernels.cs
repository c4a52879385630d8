using ILGPU;

namespace VectorDb.Gpu.Kernels;

/// <summary>Applies staged host changes to the device mirror in one launch.</summary>
internal static class SyncKernels
{
    /// <summary>Element i copies chunk i % chunksPerRow of staged entry i / chunksPerRow into its slot's row; the
    /// first chunk's thread also copies the slot's norm and live flag (0 for a deleted slot).</summary>
    public static void Scatter(Index1D i, ArrayView<Chunk16> stagedRows, ArrayView<int> stagedSlots, ArrayView<float> stagedNorms,
        ArrayView<int> stagedLive, ArrayView<Chunk16> rows, ArrayView<float> norms, ArrayView<int> live, int chunksPerRow)
    {
        int entry = i / chunksPerRow;
        int chunk = i - entry * chunksPerRow;
        int slot = stagedSlots[entry];
        rows[(long)slot * chunksPerRow + chunk] = stagedRows[i];
        if (chunk == 0)
        {
            norms[slot] = stagedNorms[entry];
            live[slot] = stagedLive[entry];
        }
    }
}

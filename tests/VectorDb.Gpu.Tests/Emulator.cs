using ILGPU;
using ILGPU.Runtime.CPU;
using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Gpu.Tests;

/// <summary>
/// Runs the GPU scorer's kernels on ILGPU's CPU accelerator (CI has no GPU). The emulated device has CUDA's warp
/// size (32) and a 256-thread group, so warp shuffles, shared memory and barriers follow the same paths as on a GPU.
/// The emulator is slow (~0.1 GB/s): keep sizes tiny.
/// </summary>
internal static class Emulator
{
    private static readonly Context SharedContext = GpuContextFactory.CreateContext(
        cuda: false, new CPUDevice(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: 8, numMultiprocessors: 1));

    /// <summary>One emulated device for the whole test run, so each kernel is compiled once (ILGPU caches per
    /// accelerator). Never disposed: it lives as long as the test process.</summary>
    private static readonly CPUAccelerator SharedAccelerator = SharedContext.CreateCPUAccelerator(0, Mode);

    private static CPUAcceleratorMode Mode => CPUAcceleratorMode.Parallel;

    public static GpuExactScorer Create(OriginalVectorStore store, Metric metric, GpuScorerOptions? options = null) =>
        new(SharedContext, SharedAccelerator, store, metric, options ?? new GpuScorerOptions { DeviceMemoryBudgetBytes = 64 << 20 },
            ownsAccelerator: false);

    public static (OriginalVectorStore Store, List<float[]> Vectors) RandomStore(int dimension, OriginalsFormat precision, int count, ulong seed)
    {
        var store = new OriginalVectorStore(dimension, precision);
        var random = new SplitMix64(seed);
        var vectors = new List<float[]>();
        for (int slot = 0; slot < count; slot++)
        {
            float[] vector = Gaussian(ref random, dimension);
            store.Upsert(slot, vector);
            vectors.Add(vector);
        }
        return (store, vectors);
    }

    public static float[] Gaussian(ref SplitMix64 random, int length)
    {
        var vector = new float[length];
        for (int j = 0; j < length; j++)
        {
            vector[j] = (float)random.NextGaussian();
        }
        return vector;
    }
}

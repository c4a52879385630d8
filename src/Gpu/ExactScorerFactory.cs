using ILGPU;
using ILGPU.Runtime.Cuda;
using VectorDb.Index.Rerank;

namespace VectorDb.Gpu;

/// <summary>Chooses the exact re-scorer for a collection from its options and this machine's hardware.</summary>
public static class ExactScorerFactory
{
    /// <summary>
    /// <see cref="GpuMode.Auto"/>: a <see cref="GpuExactScorer"/> when a CUDA device is present, else the CPU
    /// <see cref="ExactScorer"/> (never ILGPU's CPU emulator). <see cref="GpuMode.CpuOnly"/>: the CPU scorer.
    /// <see cref="GpuMode.CudaRequired"/>: the GPU scorer or an <see cref="InvalidOperationException"/>.
    /// </summary>
    public static IExactScorer Create(OriginalVectorStore store, Metric metric, GpuScorerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new GpuScorerOptions();
        if (options.Mode == GpuMode.CpuOnly)
        {
            return new ExactScorer(store, metric);
        }
        GpuExactScorer? gpu = GpuExactScorer.TryCreateCuda(store, metric, options);
        if (gpu is not null)
        {
            return gpu;
        }
        if (options.Mode == GpuMode.CudaRequired)
        {
            throw new InvalidOperationException(
                $"GpuMode.CudaRequired, but CUDA device {options.DeviceIndex} was not found (no NVIDIA driver or GPU). Use GpuMode.Auto to fall back to the CPU.");
        }
        return new ExactScorer(store, metric);
    }

    /// <summary>Number of CUDA devices ILGPU finds here (0 without an NVIDIA driver).</summary>
    public static int CudaDeviceCount()
    {
        using Context context = GpuContextFactory.CreateContext(cuda: true);
        return context.GetCudaDevices().Count;
    }
}

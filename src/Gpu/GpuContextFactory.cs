using ILGPU;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace VectorDb.Gpu;

/// <summary>The one place that decides how ILGPU contexts are configured.</summary>
internal static class GpuContextFactory
{
    /// <summary>
    /// Optimization level O2, the enhanced PTX backend and profiling markers (kernel timing). CUDA devices are
    /// enabled when <paramref name="cuda"/> is set; a CPU device only when <paramref name="emulator"/> is given —
    /// tests use it to run the kernels; it emulates a GPU at about 0.1 GB/s and is never a production fallback.
    /// </summary>
    public static Context CreateContext(bool cuda, CPUDevice? emulator = null) => Context.Create(builder =>
    {
        builder.Optimize(OptimizationLevel.O2).PTXBackend(PTXBackendMode.Enhanced).Profiling();
        if (cuda)
        {
            builder.Cuda();
        }
        if (emulator is not null)
        {
            builder.CPU(emulator);
        }
    });
}

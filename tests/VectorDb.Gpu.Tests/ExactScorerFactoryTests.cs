using VectorDb.Index.Rerank;

namespace VectorDb.Gpu.Tests;

/// <summary>Backend choice. CI machines have no NVIDIA driver, so Auto must give the CPU SIMD scorer there (never the
/// ILGPU CPU emulator), and CudaRequired must refuse; on a GPU machine both give the GPU scorer.</summary>
public class ExactScorerFactoryTests
{
    [Fact]
    public void Create_FollowsModeAndHardware()
    {
        var store = new OriginalVectorStore(8, OriginalsFormat.Float32);
        bool hasCuda = ExactScorerFactory.CudaDeviceCount() > 0;

        Assert.IsType<ExactScorer>(ExactScorerFactory.Create(store, Metric.L2, new GpuScorerOptions { Mode = GpuMode.CpuOnly }));
        IExactScorer auto = ExactScorerFactory.Create(store, Metric.L2);
        if (hasCuda)
        {
            using var gpu = Assert.IsType<GpuExactScorer>(auto);
            Assert.StartsWith("Cuda", gpu.DeviceName);
        }
        else
        {
            Assert.IsType<ExactScorer>(auto);
            Assert.Contains("CUDA device 0 was not found", Assert.Throws<InvalidOperationException>(
                () => ExactScorerFactory.Create(store, Metric.L2, new GpuScorerOptions { Mode = GpuMode.CudaRequired })).Message);
        }
    }
}

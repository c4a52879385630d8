using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using VectorDb.Gpu;
using VectorDb.Index.Rerank;

namespace VectorDb.GpuBench;

/// <summary>Where the benchmark runs: the first CUDA device, or (for a local smoke test of this program only) ILGPU's
/// CPU emulator at tiny sizes. Emulator figures are meaningless as performance.</summary>
internal sealed class BenchEnvironment : IDisposable
{
    private readonly Context _sharedContext;
    private readonly Accelerator? _sharedEmulator;

    public BenchEnvironment(bool emulator)
    {
        Emulator = emulator;
        if (emulator)
        {
            _sharedContext = GpuContextFactory.CreateContext(cuda: false, new CPUDevice(32, 8, 1));
            _sharedEmulator = _sharedContext.CreateCPUAccelerator(0, CPUAcceleratorMode.Parallel);
            Device = _sharedEmulator.Name;
            DeviceMemoryBytes = _sharedEmulator.MemorySize;
            Multiprocessors = _sharedEmulator.NumMultiprocessors;
            return;
        }
        _sharedContext = GpuContextFactory.CreateContext(cuda: true);
        if (_sharedContext.GetCudaDevices().Count == 0)
        {
            throw new InvalidOperationException("No CUDA device found (is the NVIDIA driver visible?). Use --emulator for a local smoke test.");
        }
        CudaDevice device = _sharedContext.GetCudaDevice(0);
        Device = device.Name;
        DeviceMemoryBytes = device.MemorySize;
        Multiprocessors = device.NumMultiprocessors;
        DriverVersion = device.DriverVersion.ToString();
    }

    public bool Emulator { get; }

    public string Device { get; }

    public long DeviceMemoryBytes { get; }

    public int Multiprocessors { get; }

    public string? DriverVersion { get; }

    /// <summary>A GPU scorer on the benchmark device (each with its own CUDA context; emulator scorers share one).</summary>
    public GpuExactScorer CreateScorer(OriginalVectorStore store, Metric metric)
    {
        var options = new GpuScorerOptions { Mode = GpuMode.CudaRequired, MaxWorkingBytes = 1L << 30 };
        if (_sharedEmulator is not null)
        {
            return new GpuExactScorer(_sharedContext, _sharedEmulator, store, metric, options with { DeviceMemoryBudgetBytes = 1L << 30 },
                ownsAccelerator: false);
        }
        return GpuExactScorer.TryCreateCuda(store, metric, options)
            ?? throw new InvalidOperationException("CUDA device 0 disappeared.");
    }

    /// <summary>Device-to-device copy rate of a large buffer (bytes read + bytes written per second): the ceiling
    /// a memory-bound kernel is measured against.</summary>
    public double MeasureCopyBandwidth(long bytes, int repeats)
    {
        using Accelerator accelerator = Emulator ? _sharedContext.CreateCPUAccelerator(0) : _sharedContext.CreateCudaAccelerator(0);
        long length = bytes / sizeof(float);
        using MemoryBuffer1D<float, Stride1D.Dense> source = accelerator.Allocate1D<float>(length);
        using MemoryBuffer1D<float, Stride1D.Dense> target = accelerator.Allocate1D<float>(length);
        source.MemSetToZero();
        target.MemSetToZero();
        accelerator.Synchronize();
        var seconds = new List<double>();
        for (int i = 0; i < repeats + 2; i++)
        {
            using ProfilingMarker start = accelerator.DefaultStream.AddProfilingMarker();
            source.View.CopyTo(target.View);
            using ProfilingMarker end = accelerator.DefaultStream.AddProfilingMarker();
            end.Synchronize();
            if (i >= 2)
            {
                seconds.Add(end.MeasureFrom(start).TotalSeconds);
            }
        }
        return 2.0 * bytes / Stats.Median(seconds);
    }

    public void Dispose()
    {
        _sharedEmulator?.Dispose();
        _sharedContext.Dispose();
    }
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

using System.Diagnostics.Metrics;
using VectorDb.Gpu;
using VectorDb.Index.Rerank;

namespace VectorDb.Server;

/// <summary>
/// Where the server's collections re-score exactly, from <c>--gpu auto|off|required</c> (config key
/// <c>VectorDb:Gpu</c>): <c>auto</c> puts every collection's originals on the first CUDA GPU when one is present
/// (collections over the device budget fall back to the CPU per call), <c>off</c> keeps the CPU SIMD scorer,
/// <c>required</c> refuses to start without a CUDA GPU. The engine stays free of ILGPU: this class hands it an
/// <see cref="VectorDb.DatabaseOptions.ExactScorerFactory"/>.
/// <para>Reports device memory through the gauges <c>vectordb_gpu_resident_bytes</c> (originals, norms and live
/// flags of every collection on the device) and <c>vectordb_gpu_collections</c>, and one startup log line.</para>
/// </summary>
public sealed class GpuScoring : IDisposable
{
    /// <summary>Meter of the GPU gauges (exported with the server's own meter).</summary>
    public const string MeterName = "VectorDb.Server.Gpu";

    private readonly Lock _gate = new();
    private readonly List<WeakReference<GpuExactScorer>> _scorers = [];
    private readonly Meter _meter = new(MeterName);
    private string? _deviceName;

    private GpuScoring(GpuMode mode, int cudaDevices)
    {
        Mode = mode;
        CudaDevices = cudaDevices;
        _meter.CreateObservableGauge("vectordb.gpu.resident.bytes", () => Reports().Sum(r => r.ResidentBytes), unit: "By",
            description: "Device bytes held by collections re-scored on the GPU (originals, norms, live flags).");
        _meter.CreateObservableGauge("vectordb.gpu.collections", () => Reports().Count(r => r.IsResident), unit: "{collection}",
            description: "Collections whose originals are resident on the GPU.");
    }

    /// <summary>auto = <see cref="GpuMode.Auto"/>, off = <see cref="GpuMode.CpuOnly"/>, required =
    /// <see cref="GpuMode.CudaRequired"/>.</summary>
    public GpuMode Mode { get; }

    /// <summary>CUDA devices found at startup (0 when the mode is off: not probed).</summary>
    public int CudaDevices { get; }

    /// <summary>The engine hook, or null for the CPU scorer (mode off, or auto without a CUDA device: no ILGPU
    /// context is created per collection then).</summary>
    public Func<OriginalVectorStore, Metric, IExactScorer>? Factory => CudaDevices > 0 ? Create : null;

    /// <summary>One line for the startup log: the mode and where scoring runs.</summary>
    public string Describe()
    {
        if (Mode == GpuMode.CpuOnly)
        {
            return "GPU re-scoring off (--gpu off): exact scores on the CPU";
        }
        if (CudaDevices == 0)
        {
            return "GPU re-scoring auto: no CUDA device found, exact scores on the CPU";
        }
        List<GpuMemoryReport> reports = Reports();
        return $"GPU re-scoring {(Mode == GpuMode.CudaRequired ? "required" : "auto")}: {_deviceName ?? "CUDA device 0"}, {reports.Count(r => r.IsResident)} of {reports.Count} collection(s) resident, " +
            $"{reports.Sum(r => r.ResidentBytes) / (1 << 20)} MiB of device memory";
    }

    /// <summary>Parses the mode and probes for CUDA.</summary>
    /// <exception cref="ArgumentException">The mode is not auto, off or required.</exception>
    /// <exception cref="InvalidOperationException">required, and no CUDA device was found.</exception>
    public static GpuScoring FromMode(string? mode)
    {
        GpuMode parsed = (mode ?? "auto").Trim().ToLowerInvariant() switch
        {
            "auto" => GpuMode.Auto,
            "off" => GpuMode.CpuOnly,
            "required" => GpuMode.CudaRequired,
            _ => throw new ArgumentException($"VectorDb:Gpu (--gpu) '{mode}' is not auto, off or required."),
        };
        int devices = parsed == GpuMode.CpuOnly ? 0 : ExactScorerFactory.CudaDeviceCount();
        if (parsed == GpuMode.CudaRequired && devices == 0)
        {
            throw new InvalidOperationException("--gpu required, but no CUDA device was found (no NVIDIA driver or GPU). Use --gpu auto to fall back to the CPU.");
        }
        return new GpuScoring(parsed, devices);
    }

    private IExactScorer Create(OriginalVectorStore store, Metric metric)
    {
        IExactScorer scorer = ExactScorerFactory.Create(store, metric, new GpuScorerOptions { Mode = Mode });
        if (scorer is GpuExactScorer gpu)
        {
            lock (_gate)
            {
                _deviceName ??= gpu.DeviceName;
                _scorers.RemoveAll(reference => !reference.TryGetTarget(out _));
                _scorers.Add(new WeakReference<GpuExactScorer>(gpu));
            }
        }
        return scorer;
    }

    /// <summary>Device memory of every open collection's GPU scorer (a dropped collection's scorer is disposed
    /// and skipped).</summary>
    private List<GpuMemoryReport> Reports()
    {
        lock (_gate)
        {
            var reports = new List<GpuMemoryReport>();
            foreach (var reference in _scorers)
            {
                if (reference.TryGetTarget(out var scorer) && scorer.TryGetMemory(out var report))
                {
                    reports.Add(report);
                }
            }
            return reports;
        }
    }

    public void Dispose() => _meter.Dispose();
}

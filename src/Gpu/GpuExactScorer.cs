using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using VectorDb.Gpu.Kernels;
using VectorDb.Index.Rerank;

namespace VectorDb.Gpu;

/// <summary>
/// Exact re-scoring on a GPU through ILGPU: the collection's originals (float32 or float16) live in device memory
/// and are scored in float32 by batched kernels; brute-force search selects the top k on the device. When the
/// collection does not fit the device budget the same calls run on the CPU SIMD scorer (<see cref="Memory"/> says
/// why). Results follow <see cref="IExactScorer"/> exactly; scores agree with the CPU to within float32 rounding.
/// </summary>
/// <remarks>
/// Calls are serialized by a lock (one device stream). Every call first applies pending upserts and deletes to the
/// device copy, so a deleted slot is never scored or returned. The store must not be written during a call.
/// </remarks>
public sealed partial class GpuExactScorer : IExactScorer, IDisposable
{
    /// <summary>Largest k selected on the device; larger k copies all scores to the host and selects there.</summary>
    public const int MaxDeviceK = 1024;

    private readonly Lock _gate = new();
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly OriginalVectorStore _store;
    private readonly GpuKernelSet _kernels;
    private readonly DeviceMirror _mirror;
    private readonly long _budgetBytes;
    private readonly long _maxWorkingBytes;
    private string? _fallbackReason;
    private readonly bool _ownsAccelerator;
    private bool _disposed;

    /// <summary>Creates a scorer on <paramref name="accelerator"/>; when <paramref name="ownsAccelerator"/> is set it
    /// disposes the accelerator and <paramref name="context"/> with itself (tests share one emulator instead).</summary>
    internal GpuExactScorer(Context context, Accelerator accelerator, OriginalVectorStore store, Metric metric, GpuScorerOptions options,
        bool ownsAccelerator = true)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxWorkingBytes);
        if (options.DeviceMemoryBudgetBytes is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DeviceMemoryBudgetBytes, "DeviceMemoryBudgetBytes must not be negative.");
        }
        if (accelerator.MaxNumThreadsPerGroup < ScoreKernels.TileThreads)
        {
            throw new NotSupportedException(
                $"{accelerator.Name} runs at most {accelerator.MaxNumThreadsPerGroup} threads per group; the kernels need {ScoreKernels.TileThreads}.");
        }
        _context = context;
        _accelerator = accelerator;
        _ownsAccelerator = ownsAccelerator;
        _store = store;
        Cpu = new ExactScorer(store, metric);
        _kernels = new GpuKernelSet(accelerator, store.Precision, metric);
        _mirror = new DeviceMirror(accelerator, store, _kernels);
        _maxWorkingBytes = options.MaxWorkingBytes;
        _budgetBytes = options.DeviceMemoryBudgetBytes ?? Math.Max(0, accelerator.MemorySize * 4 / 5 - options.MaxWorkingBytes);
    }

    /// <summary>Opens CUDA device <see cref="GpuScorerOptions.DeviceIndex"/> and creates a scorer on it, or returns
    /// null when this machine has no such CUDA device (no driver, no GPU).</summary>
    public static GpuExactScorer? TryCreateCuda(OriginalVectorStore store, Metric metric, GpuScorerOptions? options = null)
    {
        options ??= new GpuScorerOptions();
        Context context = GpuContextFactory.CreateContext(cuda: true);
        try
        {
            if (options.DeviceIndex < 0 || options.DeviceIndex >= context.GetCudaDevices().Count)
            {
                context.Dispose();
                return null;
            }
            CudaAccelerator accelerator = context.CreateCudaAccelerator(options.DeviceIndex);
            return new GpuExactScorer(context, accelerator, store, metric, options);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public int Dimension => _store.Dimension;

    /// <inheritdoc/>
    public Metric Metric => Cpu.Metric;

    /// <summary>The CPU scorer used when the collection is not resident.</summary>
    public ExactScorer Cpu { get; }

    /// <summary>The device's name and kind, e.g. "Cuda NVIDIA H100 80GB HBM3".</summary>
    public string DeviceName => $"{_accelerator.AcceleratorType} {_accelerator.Name}";

    /// <inheritdoc/>
    public string Backend
    {
        get
        {
            lock (_gate)
            {
                return _fallbackReason is null ? DeviceName : $"{Cpu.Backend} (GPU fallback: {_fallbackReason})";
            }
        }
    }

    /// <summary>Device memory: budget, resident and working bytes, and whether the collection is resident.</summary>
    public GpuMemoryReport Memory
    {
        get
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return MemoryReport();
            }
        }
    }

    /// <summary>The <see cref="Memory"/> report, or false once the scorer is disposed (for monitors that may race
    /// a collection being dropped).</summary>
    public bool TryGetMemory(out GpuMemoryReport report)
    {
        lock (_gate)
        {
            report = _disposed ? default : MemoryReport();
            return !_disposed;
        }
    }

    private GpuMemoryReport MemoryReport() => new(_budgetBytes, _mirror.ResidentBytes, _mirror.RequiredBytes, WorkingBytes,
        _accelerator.MemorySize, _mirror.IsResident, _fallbackReason);

    /// <summary>Slots allocated on the device (0 when not resident); grows by a quarter when the store outgrows it.</summary>
    internal int DeviceCapacity
    {
        get
        {
            lock (_gate)
            {
                return _mirror.Capacity;
            }
        }
    }

    /// <summary>Device time of the scoring and selection kernels of the last call (for benchmarks).</summary>
    internal KernelTimes LastKernelTimes { get; private set; }

    /// <summary>Applies pending store changes to the device now (otherwise done at the start of the next call).
    /// Returns false when the collection is scored on the CPU instead.</summary>
    public bool Synchronize()
    {
        lock (_gate)
        {
            return TryUseDevice();
        }
    }

    private bool TryUseDevice()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        bool resident = _mirror.Synchronize(_budgetBytes, out _fallbackReason);
        if (!resident)
        {
            ReleaseWorkspace();
        }
        return resident;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _mirror.Dispose();
            ReleaseWorkspace();
            if (_ownsAccelerator)
            {
                _accelerator.Dispose();
                _context.Dispose();
            }
        }
    }
}

/// <summary>Device time of the kernels of one call.</summary>
/// <param name="Score">Scoring kernel(s).</param>
/// <param name="Select">Top-k selection kernel(s) (zero when none ran).</param>
internal readonly record struct KernelTimes(TimeSpan Score, TimeSpan Select);

namespace VectorDb.Gpu;

/// <summary>Where exact re-scoring runs.</summary>
public enum GpuMode
{
    /// <summary>A CUDA GPU when one is present and the collection fits its budget, else the CPU SIMD scorer.</summary>
    Auto,

    /// <summary>Always the CPU SIMD scorer.</summary>
    CpuOnly,

    /// <summary>A CUDA GPU; creating the scorer fails when none is present. Collections over budget still fall
    /// back to the CPU per call (and say so in <see cref="GpuExactScorer.Memory"/>).</summary>
    CudaRequired,
}

/// <summary>Configuration of GPU exact re-scoring (a collection option).</summary>
public sealed record GpuScorerOptions
{
    /// <summary>Default per-call scratch limit: 512 MiB (the brute-force score matrix is split to fit).</summary>
    public const long DefaultMaxWorkingBytes = 512L << 20;

    /// <summary>Where to run; <see cref="GpuMode.Auto"/> by default.</summary>
    public GpuMode Mode { get; init; } = GpuMode.Auto;

    /// <summary>Most device bytes the resident copy of the collection (rows, norms, live flags) may take. Null: 80%
    /// of the device's memory minus <see cref="MaxWorkingBytes"/>. A collection that outgrows it is released from
    /// the device and scored on the CPU until it fits again.</summary>
    public long? DeviceMemoryBudgetBytes { get; init; }

    /// <summary>Most device bytes for per-call buffers (queries, candidate lists, score matrix).</summary>
    public long MaxWorkingBytes { get; init; } = DefaultMaxWorkingBytes;

    /// <summary>Which CUDA device (0 = first).</summary>
    public int DeviceIndex { get; init; }
}

/// <summary>What the GPU scorer holds on the device, in bytes.</summary>
/// <param name="BudgetBytes">Limit for the resident copy.</param>
/// <param name="ResidentBytes">Bytes held by the resident copy now (0 when not resident).</param>
/// <param name="RequiredBytes">Bytes the collection needs to be resident at its current size.</param>
/// <param name="WorkingBytes">Bytes held by per-call buffers now.</param>
/// <param name="DeviceTotalBytes">The device's memory size.</param>
/// <param name="IsResident">True when the collection is on the device and scored there.</param>
/// <param name="FallbackReason">Why the CPU is scoring instead, or null.</param>
public readonly record struct GpuMemoryReport(
    long BudgetBytes, long ResidentBytes, long RequiredBytes, long WorkingBytes, long DeviceTotalBytes, bool IsResident, string? FallbackReason);

using System.Runtime.Intrinsics;

namespace VectorDb.Index.Common;

/// <summary>The vector width a kernel is written for. Every kernel family has one implementation per level it
/// supports, and the <see cref="Scalar"/> one is the oracle the others must match.</summary>
public enum SimdLevel
{
    Scalar = 0,
    Vector128 = 128,
    Vector256 = 256,
    Vector512 = 512,
}

/// <summary>
/// Which <see cref="SimdLevel"/>s this process can run. The answer follows the runtime's own switches
/// (DOTNET_PreferredVectorBitWidth=256, DOTNET_EnableAVX2=0, DOTNET_EnableHWIntrinsic=0 narrow it; on .NET 10
/// DOTNET_EnableAVX512F does nothing) and can be narrowed further, never widened, with VECTORDB_MAX_SIMD=
/// scalar|128|256|512.
/// </summary>
public static class SimdCapabilities
{
    /// <summary>Environment variable that caps the level VectorDb picks (for tests and A/B benchmarks).</summary>
    public const string MaxSimdVariable = "VECTORDB_MAX_SIMD";

    /// <summary>The widest level the hardware and runtime accelerate, before the VectorDb cap.</summary>
    public static SimdLevel Hardware { get; } =
        Vector512.IsHardwareAccelerated ? SimdLevel.Vector512
        : Vector256.IsHardwareAccelerated ? SimdLevel.Vector256
        : Vector128.IsHardwareAccelerated ? SimdLevel.Vector128
        : SimdLevel.Scalar;

    /// <summary>The level hot paths use by default: <see cref="Hardware"/> capped by VECTORDB_MAX_SIMD.</summary>
    public static SimdLevel Best { get; } = Cap(Hardware, Environment.GetEnvironmentVariable(MaxSimdVariable));

    /// <summary>Every level that can run here, narrowest first. Tests run each kernel at each of these.</summary>
    public static IReadOnlyList<SimdLevel> Available { get; } =
        Enum.GetValues<SimdLevel>().Where(level => level <= Hardware).Order().ToArray();

    internal static SimdLevel Cap(SimdLevel hardware, string? cap)
    {
        if (string.IsNullOrWhiteSpace(cap))
        {
            return hardware;
        }
        SimdLevel limit = cap.Trim().ToLowerInvariant() switch
        {
            "scalar" or "0" => SimdLevel.Scalar,
            "128" => SimdLevel.Vector128,
            "256" => SimdLevel.Vector256,
            "512" => SimdLevel.Vector512,
            _ => throw new InvalidOperationException($"{MaxSimdVariable}='{cap}' is not one of scalar, 128, 256, 512."),
        };
        return limit < hardware ? limit : hardware;
    }
}

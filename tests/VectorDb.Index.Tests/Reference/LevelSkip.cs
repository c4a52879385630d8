using VectorDb.Index.Common;

namespace VectorDb.Index.Tests.Reference;

/// <summary>
/// Skips for tests whose case is tied to one SIMD level or instruction set. CI re-runs this project with the
/// runtime's SIMD switches narrowed (.ci/run), so a case at a wider level cannot run there; it must then be reported
/// as skipped, with the reason, rather than pass having checked nothing. Every reason starts with
/// "needs &lt;capability&gt;:" and .ci/run fails a run in which a test was skipped for a capability that run is meant
/// to exercise (its VECTORDB_EXPECT_SIMD level and below, AVX-VNNI where the CPU has it).
/// </summary>
internal static class LevelSkip
{
    /// <summary>Skips unless this process can run <paramref name="level"/> (CPU and runtime switches allow it).</summary>
    public static void UnlessAvailable(SimdLevel level) =>
        Skip.If(level > SimdCapabilities.Hardware, Reason(level.ToString(),
            $"this process runs at most {SimdCapabilities.Hardware} (CPU or runtime switches), so nothing was checked at {level}"));

    /// <summary>Skips unless <paramref name="capability"/> is present (a kernel's own instruction-set check).</summary>
    public static void Unless(bool present, string capability, string what) =>
        Skip.IfNot(present, Reason(capability, $"not available in this process, so {what} was not checked"));

    private static string Reason(string capability, string why) => $"needs {capability}: {why}.";
}

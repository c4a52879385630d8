namespace VectorDb.Harness.Report;

/// <summary>One line naming the machine a figure was measured on (CPU model, cores, runtime, SIMD level).</summary>
internal static class MachineDescription
{
    public static string Current()
    {
        string cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        return $"{cpu}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {Index.Common.SimdCapabilities.Best}";
    }
}

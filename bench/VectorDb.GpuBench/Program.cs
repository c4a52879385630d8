using System.Globalization;
using System.Text.Json;
using VectorDb.Gpu.Diagnostics;
using VectorDb.GpuBench;

// VectorDb.GpuBench: correctness checks of the GPU exact scorer against the CPU scorer on a real device, then timings.
//   VectorDb.GpuBench [--json PATH] [--count N] [--dim D] [--batch B] [--runs R] [--check-count N]
//   VectorDb.GpuBench --emulator ...   smoke-tests this program on ILGPU's CPU emulator (tiny sizes; figures meaningless)
//   VectorDb.GpuBench --ptx DIR        writes the kernels' PTX (sm_90) for inspection; needs no GPU
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = new Dictionary<string, string>();
var flags = new HashSet<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] is "--emulator")
    {
        flags.Add(args[i]);
    }
    else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
    {
        options[args[i]] = args[++i];
    }
    else
    {
        Console.Error.WriteLine($"unknown argument '{args[i]}'");
        return 2;
    }
}
if (options.TryGetValue("--ptx", out string? ptxDirectory))
{
    foreach (string path in PtxDump.Write(ptxDirectory))
    {
        Console.WriteLine(path);
    }
    return 0;
}

bool emulator = flags.Contains("--emulator");
int Option(string name, int fallback) => options.TryGetValue(name, out string? value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
int count = Option("--count", emulator ? 3_000 : 1_000_000);
int dimension = Option("--dim", emulator ? 64 : 768);
int batch = Option("--batch", emulator ? 4 : 64);
int runs = Option("--runs", emulator ? 3 : 30);
int checkCount = Option("--check-count", emulator ? 500 : 20_000);
var started = DateTime.UtcNow;
void Log(string line) => Console.WriteLine($"[{(DateTime.UtcNow - started).TotalSeconds,6:F1}s] {line}");

using var environment = new BenchEnvironment(emulator);
Log($"device: {environment.Device}, {environment.DeviceMemoryBytes / (1L << 30)} GiB, {environment.Multiprocessors} SMs, driver {environment.DriverVersion}");
double copyBytesPerSecond = environment.MeasureCopyBandwidth(emulator ? 16L << 20 : 2L << 30, emulator ? 2 : 20);
Log($"device-to-device copy: {copyBytesPerSecond / 1e9:F0} GB/s (bytes read + written)");

List<CheckResult> checks = Checks.Run(environment, checkCount, emulator ? [37] : [100, 768]);
foreach (CheckResult check in checks)
{
    Log($"check {(check.Passed ? "PASS" : "FAIL")} {check.Name}: worst error/tolerance {check.WorstErrorOverTolerance:F3} over {check.Compared} ({check.Detail})");
}
List<Measurement> measurements = Measurements.Run(environment, count, dimension, batch, runs, Log);

Console.WriteLine();
Console.WriteLine($"| precision | scenario | kernel ms (median / min) | select ms | wall ms | effective GB/s | QPS |");
Console.WriteLine($"|---|---|---|---|---|---|---|");
foreach (Measurement m in measurements)
{
    Console.WriteLine($"| {m.Precision} | {m.Scenario} | {m.KernelMsMedian:F3} / {m.KernelMsMin:F3} | {m.SelectMsMedian:F3} | {m.WallMsMedian:F3} | {m.EffectiveGBps:F0} | {m.QueriesPerSecond:F0} |");
}
int failed = checks.Count(check => !check.Passed);
Console.WriteLine($"checks: {checks.Count - failed} passed, {failed} failed; copy bandwidth {copyBytesPerSecond / 1e9:F0} GB/s; " +
    $"{count:N0} x {dimension}, batch {batch}, {runs} runs");

if (options.TryGetValue("--json", out string? jsonPath))
{
    var report = new
    {
        date = started.ToString("u"),
        device = environment.Device,
        deviceMemoryBytes = environment.DeviceMemoryBytes,
        multiprocessors = environment.Multiprocessors,
        driver = environment.DriverVersion,
        emulator,
        command = Environment.CommandLine,
        copyBandwidthGBps = copyBytesPerSecond / 1e9,
        count,
        dimension,
        batch,
        runs,
        checks,
        measurements,
    };
    File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
    Log($"wrote {jsonPath}");
}
return failed == 0 ? 0 : 1;

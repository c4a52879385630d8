using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace VectorDb.Benchmarks;

/// <summary>
/// <c>--smoke</c>: a check that the benchmarks still run, for CI (seconds, not a measurement). For every benchmark
/// class it takes the first parameter combination and runs each of its [Benchmark] methods through BenchmarkDotNet
/// in this process with the Dry job (the class's [GlobalSetup], one invocation, [GlobalCleanup]). Fails (exit 1) when
/// a class has no case or any case did not run to completion. No timing is read from it.
/// </summary>
internal static class SmokeRun
{
    public static int Run()
    {
        string artifacts = Path.Combine(Path.GetTempPath(), $"vectordb-bench-smoke-{Environment.ProcessId}");
        try
        {
            return Run(artifacts);
        }
        finally
        {
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }

    private static int Run(string artifacts)
    {
        var job = Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Smoke");
        var config = DefaultConfig.Instance.WithArtifactsPath(artifacts).WithOptions(ConfigOptions.DisableLogFile);
        var types = typeof(SmokeRun).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();
        var runs = new List<BenchmarkRunInfo>();
        foreach (var type in types)
        {
            var all = BenchmarkConverter.TypeToBenchmarks(type, config);
            var first = all.BenchmarksCases.FirstOrDefault();
            if (first is null)
            {
                Console.Error.WriteLine($"smoke: {type.Name} has no benchmark case");
                return 1;
            }
            // The first parameter combination, every method of it, each with the Dry in-process job.
            var firstCases = all.BenchmarksCases
                .Where(c => c.Parameters.DisplayInfo == first.Parameters.DisplayInfo)
                .GroupBy(c => c.Descriptor.WorkloadMethod.Name)
                .Select(g => BenchmarkCase.Create(g.First().Descriptor, job, g.First().Parameters, all.Config))
                .ToArray();
            runs.Add(new BenchmarkRunInfo(firstCases, type, all.Config));
        }
        var summaries = BenchmarkRunner.Run([.. runs]);
        int cases = 0, failed = 0;
        foreach (var summary in summaries)
        {
            foreach (var report in summary.Reports)
            {
                cases++;
                if (!report.Success || report.ExecuteResults.Count == 0)
                {
                    failed++;
                    Console.Error.WriteLine($"smoke: {report.BenchmarkCase.DisplayInfo} did not run to completion");
                }
            }
            if (summary.HasCriticalValidationErrors)
            {
                failed++;
                Console.Error.WriteLine($"smoke: {summary.Title}: {string.Join("; ", summary.ValidationErrors.Select(e => e.Message))}");
            }
        }
        int expected = runs.Sum(r => r.BenchmarksCases.Length);
        Console.WriteLine($"benchmark smoke: {types.Count} classes, {cases} of {expected} cases run, {failed} failed");
        return failed == 0 && cases == expected ? 0 : 1;
    }
}

using BenchmarkDotNet.Running;
using VectorDb.Benchmarks;

// Run by hand, e.g.: dotnet run -c Release --project bench/VectorDb.Benchmarks -- --filter '*Rotation*'
// CI runs `-- --smoke` (SmokeRun: every class's setup and methods once, in process; no timing).
if (args is ["--smoke"])
{
    return SmokeRun.Run();
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

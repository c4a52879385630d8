using BenchmarkDotNet.Running;

// Run by hand, e.g.: dotnet run -c Release --project bench/VectorDb.Benchmarks -- --filter '*Rotation*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

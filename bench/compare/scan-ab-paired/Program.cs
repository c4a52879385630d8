using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;

// Two builds of the flat-scan A/B side (bench/compare/scan-ab's ScanAbSide), each loaded with its own VectorDb.Index in
// its own AssemblyLoadContext, searched query by query alternately in one process: both sides see the same machine
// state, so other tenants' load moves both and the ratio stays put (separate processes in turn, as scan-ab.sh does
// without --paired, differ by ±15% between rounds under load). Each timing is the least of R tries. Prints one line per
// round with both sides' per-query means (µs) and the after/before ratios.
// usage: ScanAbPaired <before dll> <after dll> <dataset dir> <queries> <tries> <rounds>
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: ScanAbPaired <before dll> <after dll> <dataset dir> <queries> <tries> <rounds>");
    return 2;
}
int queries = int.Parse(args[3], CultureInfo.InvariantCulture), tries = int.Parse(args[4], CultureInfo.InvariantCulture);
int rounds = int.Parse(args[5], CultureInfo.InvariantCulture);
var before = Side.Load(args[0], "before", args[2], format: 1);
var after = Side.Load(args[1], "after", args[2], format: 2);
for (int round = 1; round <= rounds; round++)
{
    double beforeOne = 0, afterOne = 0, beforeFour = 0, afterFour = 0;
    for (int q = 0; q < queries; q++)
    {
        beforeOne += Least(before.One, q);
        afterOne += Least(after.One, q);
        beforeFour += Least(before.Four, q);
        afterFour += Least(after.Four, q);
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round}: one query: before {beforeOne / queries:F1} us, after {afterOne / queries:F1} us, ratio {afterOne / beforeOne:F3}; four per call: before {beforeFour / queries:F1} us, after {afterFour / queries:F1} us, ratio {afterFour / beforeFour:F3}; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
}
return 0;

double Least(Func<int, double> search, int q)
{
    double least = double.MaxValue;
    for (int t = 0; t < tries; t++)
    {
        least = Math.Min(least, search(q));
    }
    return least;
}

/// <summary>One build's ScanAbSide, loaded from <c>dll</c> with its own dependencies.</summary>
internal sealed class Side(Func<int, double> one, Func<int, double> four)
{
    public Func<int, double> One { get; } = one;

    public Func<int, double> Four { get; } = four;

    public static Side Load(string dll, string name, string directory, int format)
    {
        var context = new BuildLoadContext(Path.GetFullPath(dll), name);
        Assembly assembly = context.LoadFromAssemblyPath(Path.GetFullPath(dll));
        Type type = assembly.GetType("VectorDb.Benchmarks.ScanAb.ScanAbSide", throwOnError: true)!;
        type.GetMethod("Prepare")!.Invoke(null, [directory, format]);
        return new Side(type.GetMethod("One")!.CreateDelegate<Func<int, double>>(),
            type.GetMethod("Four")!.CreateDelegate<Func<int, double>>());
    }

    /// <summary>Resolves a build's own assemblies (VectorDb.Index, VectorDb.Datasets) from its deps.json.</summary>
    private sealed class BuildLoadContext(string dll, string name) : AssemblyLoadContext(name)
    {
        private readonly AssemblyDependencyResolver _resolver = new(dll);

        protected override Assembly? Load(AssemblyName assemblyName) =>
            _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }
}

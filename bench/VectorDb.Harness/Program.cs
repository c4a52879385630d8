using VectorDb.Harness;
using VectorDb.Harness.Commands;

// Entry point of the recall/latency harness. Each subcommand lives in Commands/ and owns its options.
var commands = new ICommand[]
{
    new MakeSliceCommand(),
    new CodecCommand(),
    new SearchCommand(),
    new IngestCommand(),
    new ServeBenchCommand(),
    new OpenBenchCommand(),
};

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("VectorDb harness: measures the codec, search, ingest and serving on real data.");
    Console.WriteLine();
    Console.WriteLine("usage: dotnet run -c Release --project bench/VectorDb.Harness -- <command> [options]");
    Console.WriteLine();
    foreach (var command in commands)
    {
        Console.WriteLine($"  {command.Name,-12} {command.Summary}");
    }
    Console.WriteLine();
    Console.WriteLine("Run '<command> --help' for a command's options.");
    return 0;
}

var chosen = commands.FirstOrDefault(c => c.Name == args[0]);
if (chosen is null)
{
    Console.Error.WriteLine($"unknown command '{args[0]}'. Commands: {string.Join(", ", commands.Select(c => c.Name))}.");
    return 2;
}
try
{
    var options = Args.Parse(args.AsSpan(1).ToArray());
    if (options.Has("help"))
    {
        Console.WriteLine(chosen.Usage);
        return 0;
    }
    return chosen.Run(options);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(chosen.Usage);
    return 2;
}

using Grpc.Core;
using VectorDb.Cli;
using VectorDb.Client;

// vectordb: the command line of VectorDb. See Commands.Usage for the contract (kept stable for scripts).
CliArgs parsed;
try
{
    parsed = CliArgs.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(Commands.Usage);
    return 2;
}

if (parsed.Command is "help" or "--help" or "-h")
{
    Console.WriteLine(Commands.Usage);
    return 0;
}
if (parsed.Flag("help"))
{
    string? help = Commands.HelpFor(parsed.Command);
    Console.WriteLine(help ?? Commands.Usage);
    return help is null ? 2 : 0;
}
if (parsed.Command == "serve")
{
    return await VectorDb.Server.Hosting.ServerMain.RunAsync(parsed.Rest);
}

if (parsed.Command == "salvage")
{
    try
    {
        return await SalvageCommand.RunAsync(parsed);
    }
    catch (UsageException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        Console.Error.WriteLine(Commands.Usage);
        return 2;
    }
    catch (Exception e) when (e is IOException or InvalidOperationException or NotSupportedException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: salvage failed: {e.Message}");
        return 4;
    }
}

using var client = new VectorDbClient(parsed.Server, parsed.ApiKey);
try
{
    return parsed.Command switch
    {
        "create" => await Commands.CreateAsync(parsed, client),
        "import" => await Commands.ImportAsync(parsed, client),
        "count" => await Commands.CountAsync(parsed, client),
        "get" => await PointCommands.GetAsync(parsed, client),
        "delete" => await PointCommands.DeleteAsync(parsed, client),
        "export" => await PointCommands.ExportAsync(parsed, client),
        "search" => await Commands.SearchAsync(parsed, client),
        "info" => await Commands.InfoAsync(parsed, client),
        "list" => await Commands.ListAsync(parsed, client),
        "drop" => await Commands.DropAsync(parsed, client),
        _ => throw new UsageException($"unknown command '{parsed.Command}'."),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(Commands.Usage);
    return 2;
}
catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
{
    Console.Error.WriteLine($"error: cannot reach the server at {parsed.Server} ({e.StatusCode}: {e.Status.Detail}).");
    return 3;
}
catch (RpcException e)
{
    Console.Error.WriteLine($"error: {e.StatusCode}: {e.Status.Detail}");
    return 1;
}
catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 4;
}

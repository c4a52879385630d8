using Samples;

// The snippets keep their data in ./data, relative to the current directory, as the docs show them.
// dotnet run --project samples/VectorDb.Samples -- embedded | mevd | client <server address>
switch (args)
{
    case ["embedded"]:
        await EmbeddedSample.RunAsync();
        return 0;
    case ["mevd"]:
        await MevdSample.RunAsync();
        return 0;
    case ["client", var address]:
        await ClientSample.RunAsync(address);
        return 0;
    default:
        Console.Error.WriteLine("usage: VectorDb.Samples embedded | mevd | client <server address>");
        return 2;
}

using VectorDb.Server;

// dotnet run -c Release --project src/Api/VectorDb.Server -- [--urls http://127.0.0.1:6334] [--data-dir ./data] [--gpu auto|off|required]
ServerHost server;
try
{
    server = await ServerHost.CreateAsync(args);
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException)
{
    // A configuration the server cannot start with (bad option value, --gpu required without CUDA): say what to
    // fix, without a stack trace, and exit non-zero so that a supervisor does not report a clean stop.
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
await using (server)
{
    await server.RunAsync();
}
return 0;

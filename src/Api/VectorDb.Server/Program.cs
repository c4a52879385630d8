using VectorDb.Server;

// dotnet run -c Release --project src/Api/VectorDb.Server -- [--urls http://127.0.0.1:6334] [--data-dir ./data] [--gpu auto|off|required]
await using var server = await ServerHost.CreateAsync(args);
await server.RunAsync();

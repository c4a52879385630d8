using VectorDb.Server.Hosting;

// dotnet run -c Release --project src/Api/VectorDb.Server -- [--urls http://127.0.0.1:6334] [--data-dir ./data] [--gpu auto|off|required]
// A start-up error (bad option, --gpu required without CUDA, address in use, data directory in use) prints one line
// and exits with its code (StartupErrors), without a stack trace, so that a supervisor does not report a clean stop.
return await ServerMain.RunAsync(args);

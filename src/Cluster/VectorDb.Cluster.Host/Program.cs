using VectorDb.Server.Hosting;

// vectordb-silo: the name earlier releases documented for a cluster node; now the server in cluster mode
// (`vectordb serve --cluster ...`, docs/cluster.md) under another name. Its options are the server's, with two
// translations kept for old command lines: --grpc-port <p> = --urls http://127.0.0.1:<p>, and the REST API off unless
// --rest-urls is given (a silo has no REST API to offer: docs/cluster.md).
var translated = new List<string> { "--cluster" };
bool restGiven = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--grpc-port" && i + 1 < args.Length)
    {
        translated.AddRange(["--urls", $"http://127.0.0.1:{args[++i]}"]);
        continue;
    }
    restGiven |= args[i].StartsWith("--rest-urls", StringComparison.Ordinal);
    translated.Add(args[i]);
}
if (!restGiven)
{
    translated.Add("--rest-urls=");
}
return await ServerMain.RunAsync([.. translated]);

namespace VectorDb.Server.Hosting;

/// <summary>The server's entry point (Program.cs, and the CLI's <c>serve</c>): build, start, serve until Ctrl-C or
/// SIGTERM, close. A start-up error prints one line and returns its exit code (<see cref="StartupErrors"/>).</summary>
public static class ServerMain
{
    /// <summary>Runs the server; returns the process exit code (0 after a graceful stop).</summary>
    /// <param name="args">The server's command line (--urls, --rest-urls, --data-dir, --gpu, --VectorDb:Key=value).</param>
    public static async Task<int> RunAsync(string[] args)
    {
        ServerHost server;
        try
        {
            server = await ServerHost.CreateAsync(args);
        }
        catch (Exception e) when (StartupErrors.ExitCode(e) is int code)
        {
            return Fail(e, code);
        }
        await using (server)
        {
            try
            {
                await server.StartAsync();
            }
            catch (Exception e) when (StartupErrors.ExitCode(e) is int code)
            {
                return Fail(e, code);
            }
            // Every address bound, port 0 resolved to the port the system chose: scripts (and the tests) read it here.
            Console.WriteLine($"listening on {string.Join(' ', server.Urls)}");
            if (server.SiloAddress is { } silo)
            {
                Console.WriteLine($"silo ready {silo}"); // cluster mode: the silo has joined and the API serves
            }
            await server.App.WaitForShutdownAsync();
        }
        return 0;
    }

    private static int Fail(Exception error, int exitCode)
    {
        Console.Error.WriteLine($"error: {StartupErrors.Describe(error)}");
        return exitCode;
    }
}

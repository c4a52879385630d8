using Microsoft.AspNetCore.Connections;

namespace VectorDb.Server.Hosting;

/// <summary>
/// Why the server could not start, as the one line it prints and its exit code (documented in docs/api.md, "gRPC
/// server"): 2 the configuration is invalid (an option value, <c>--gpu required</c> without a CUDA device), 3 an
/// address to listen on is in use or cannot be bound, 4 a collection in the data directory is held by another process,
/// 5 the data directory cannot be read or written. Other failures are not start-up errors: they keep their stack trace.
/// </summary>
public static class StartupErrors
{
    public const int InvalidConfiguration = 2;
    public const int AddressUnavailable = 3;
    public const int DataDirectoryInUse = 4;
    public const int DataDirectoryInaccessible = 5;

    /// <summary>The exit code for <paramref name="error"/>, or null when it is not a known start-up error.</summary>
    /// <param name="error">What CreateAsync or StartAsync threw.</param>
    public static int? ExitCode(Exception error) => error switch
    {
        _ when EngineErrors.CodeOf(error) == EngineErrorCode.DirectoryInUse => DataDirectoryInUse, // before InvalidOperationException, its base class
        ArgumentException or InvalidOperationException => InvalidConfiguration,
        // Kestrel wraps the socket's refusal: IOException("Failed to bind to address ...", AddressInUseException).
        IOException { InnerException: AddressInUseException } => AddressUnavailable,
        UnauthorizedAccessException => DataDirectoryInaccessible,
        _ => null,
    };

    /// <summary>The line printed for a start-up error: what failed and, where it helps, what to do.</summary>
    /// <param name="error">An exception <see cref="ExitCode"/> knows.</param>
    public static string Describe(Exception error) => error switch
    {
        IOException { InnerException: AddressInUseException } =>
            $"{error.Message} Another process listens there: stop it, or give other ports with --urls and --rest-urls.",
        _ when EngineErrors.CodeOf(error) == EngineErrorCode.DirectoryInUse =>
            $"{error.Message} Another process (a second server?) has this data directory open: stop it, or give another --data-dir.",
        _ => error.Message,
    };
}

using Grpc.Core;

namespace VectorDb.Server;

/// <summary>Structured log events of the server, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "VectorDb data directory {DataDirectory}: {Collections} collection(s) opened in {Seconds:F2} s")]
    public static partial void DatabaseOpened(ILogger logger, string dataDirectory, int collections, double seconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Collection {Collection} is damaged and is not served (calls get DATA_LOSS; salvage or drop it, docs/api.md 'Damaged collections'): {Reason}")]
    public static partial void CollectionDamaged(ILogger logger, string collection, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Final checkpoint FAILED; writes after the last durable commit of these collections are lost; database closed in {Seconds:F2} s")]
    public static partial void FinalCheckpointFailed(ILogger logger, double seconds, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "{Description}")]
    public static partial void ExactScoring(ILogger logger, string description);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Shutting down: final checkpoint of {DataDirectory}")]
    public static partial void ShuttingDown(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Final checkpoint done; database closed in {Seconds:F2} s")]
    public static partial void DatabaseClosed(ILogger logger, double seconds);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Method} rejected with {Status}: {Detail}")]
    public static partial void CallRejected(ILogger logger, string method, StatusCode status, string detail);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "{Method} failed with an unexpected error")]
    public static partial void CallFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "No API keys configured: every caller may read and write. Set VectorDb:ApiKey (and VectorDb:ReadOnlyApiKey) to require keys.")]
    public static partial void NoApiKeys(ILogger logger);
}

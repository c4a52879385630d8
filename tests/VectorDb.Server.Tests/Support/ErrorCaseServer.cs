namespace VectorDb.Tests.Support;

/// <summary>The server the error-case tests of every API run against (<c>ErrorStatusTests</c>: vectordb.v1,
/// <c>RestErrorStatusTests</c>: REST, <c>QdrantGrpcErrorStatusTests</c>: Qdrant gRPC): a read-write and a read-only
/// key, and small limits so that each limit case is cheap to hit (1 MiB messages, k ≤ 100, 50 points per batch,
/// 256-byte payloads).</summary>
internal static class ErrorCaseServer
{
    public const string ReadWriteKey = "rw-secret";
    public const string ReadOnlyKey = "ro-secret";

    /// <summary>Starts it in process; with <paramref name="rest"/> it serves REST too (<see cref="InProcessServer.RestAddress"/>).</summary>
    public static Task<InProcessServer> StartAsync(bool rest = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["VectorDb:ApiKey"] = ReadWriteKey,
            ["VectorDb:ReadOnlyApiKey"] = ReadOnlyKey,
            ["VectorDb:MaxMessageBytes"] = "1048576",
            ["VectorDb:Limits:MaxK"] = "100",
            ["VectorDb:Limits:MaxBatchSize"] = "50",
            ["VectorDb:Limits:MaxPayloadBytes"] = "256",
        };
        return InProcessServer.StartAsync(settings, rest: rest);
    }
}

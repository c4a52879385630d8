namespace VectorDb.Server.Backend;

/// <summary>The data behind the API cannot answer now (a cluster node: a shard with no answering replica, a write some
/// shards did not acknowledge, the cluster not answering); the request may be retried. REST answers 503, gRPC
/// Unavailable, with this message.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

using System.Text.Json.Nodes;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb;

/// <summary>A point to upsert: id, vector (exactly the collection's dimension, finite) and optional JSON payload.</summary>
public sealed record PointInput(PointId Id, ReadOnlyMemory<float> Vector, JsonObject? Payload = null);

/// <summary>A stored point as returned by a get. <see cref="Vector"/> is the original when the collection keeps
/// originals (float16 originals come back widened), else the reconstruction from the codes (an approximation).</summary>
public sealed record RetrievedPoint(PointId Id, JsonObject? Payload, float[]? Vector);

/// <summary>One search result. <see cref="Score"/>: inner product or cosine (larger is better) or squared L2 distance
/// (smaller is better); exact when the hit was re-ranked with the originals, else the codes' estimate.</summary>
public sealed record ScoredPoint(PointId Id, float Score, JsonObject? Payload = null, float[]? Vector = null);

/// <summary>Results of one search, best first, with how many candidates were re-scored exactly.</summary>
public sealed class SearchResults(IList<ScoredPoint> points, int reranked)
    : System.Collections.ObjectModel.ReadOnlyCollection<ScoredPoint>(points)
{
    /// <summary>Candidates re-scored with their originals for this query (0 without re-ranking).</summary>
    public int Reranked { get; } = reranked;
}

/// <summary>The outcome of an upsert or delete.</summary>
/// <param name="OperationId">Increases with every write to the collection in this process.</param>
/// <param name="Durable">True when the write was on disk before the call returned (wait = true).</param>
/// <param name="Affected">Points written, or points that existed and were deleted.</param>
public readonly record struct WriteResult(ulong OperationId, bool Durable, int Affected);

/// <summary>One search.</summary>
/// <param name="Vector">The query (exactly the collection's dimension, finite).</param>
/// <param name="K">Results wanted, 1..<see cref="EngineLimits.MaxK"/>.</param>
public sealed record SearchRequest(ReadOnlyMemory<float> Vector, int K)
{
    /// <summary>The default <see cref="Oversampling"/> (<see cref="SearchOptions.DefaultOversampling"/>).</summary>
    public const double DefaultOversampling = SearchOptions.DefaultOversampling;

    /// <summary>Only points passing this filter are considered (applied during the scan).</summary>
    public Filter? Filter { get; init; }

    /// <summary>Re-rank mode; <see cref="Reranking.Auto"/> by default (None when no originals are kept).</summary>
    public Reranking Rerank { get; init; } = Reranking.Auto;

    /// <summary>Candidates per result taken from the code scan for re-ranking (≥ 1).</summary>
    public double Oversampling { get; init; } = DefaultOversampling;

    /// <summary>IVF lists probed (0 = default); ignored by flat collections.</summary>
    public int NProbe { get; init; }

    /// <summary>Exact search: every (filtered) point re-scored with its original. Needs originals.</summary>
    public bool Exact { get; init; }

    /// <summary>Return each hit's payload (read from storage).</summary>
    public bool WithPayload { get; init; }

    /// <summary>Return each hit's vector (read from storage).</summary>
    public bool WithVector { get; init; }

    /// <summary>Drop hits worse than this score (below it for IP/cosine, above it for L2).</summary>
    public float? ScoreThreshold { get; init; }
}

/// <summary>What a collection looks like now.</summary>
/// <param name="Name">Collection name.</param>
/// <param name="Config">Its persisted configuration.</param>
/// <param name="PointsCount">Live points.</param>
/// <param name="BytesOnDisk">Bytes of its log files.</param>
/// <param name="BytesInMemory">Approximate bytes of its scan structures and in-memory originals.</param>
/// <param name="CodeBytesPerVector">Bytes per vector in the scan structures (codes plus metadata).</param>
/// <param name="IvfLists">IVF lists in use, or a flat collection's residual code lists (each search scans all of them);
/// 1 before either is trained.</param>
public sealed record CollectionInfo(
    string Name,
    CollectionConfig Config,
    long PointsCount,
    long BytesOnDisk,
    long BytesInMemory,
    int CodeBytesPerVector,
    int IvfLists);

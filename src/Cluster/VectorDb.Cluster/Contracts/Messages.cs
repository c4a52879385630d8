
namespace VectorDb.Cluster.Contracts;

/// <summary>One point as it travels between silos; <see cref="PayloadJson"/> is the payload's compact JSON (null: none).
/// The id is an integer or a UUID, as in the engine (it travels as <see cref="PointIdSurrogate"/>).</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterPoint([property: Id(0)] PointId Id, [property: Id(1)] float[] Vector, [property: Id(2)] string? PayloadJson = null);

/// <summary>One replicated write to one shard: an upsert of <see cref="Upserts"/>, a delete of <see cref="Deletes"/>, or
/// a delete of the points matching <see cref="DeleteFilter"/> (exactly one is set). The primary applies it and ships
/// the same record to its replicas, which apply it in sequence order: the shard's logical log. A filter delete is
/// deterministic on identical replicas, so it is shipped as the filter, not as the ids it removed.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardWrite(
    [property: Id(0)] ClusterPoint[] Upserts,
    [property: Id(1)] PointId[] Deletes,
    [property: Id(2)] Filter? DeleteFilter = null);

/// <summary>How many copies hold a write before it is acknowledged (docs/cluster.md "Guarantees").</summary>
public enum WriteConsistency
{
    /// <summary>Every replica of the in-sync set, or it is removed from the set before the answer (the default).</summary>
    All,

    /// <summary>As <see cref="All"/>, and at least ⌊R/2⌋+1 copies (the primary counted) hold it.</summary>
    Majority,

    /// <summary>The primary's own durable append; replicas are written but not waited for.</summary>
    One,
}

/// <summary>Which replica of a shard a search asks.</summary>
public enum ReadPreference
{
    /// <summary>The primary first, then any other in-sync replica.</summary>
    Primary,

    /// <summary>Any in-sync replica, spread by the query (the first that answers).</summary>
    Any,
}

/// <summary>One search as sent to each shard (the engine's <see cref="SearchRequest"/>).</summary>
[GenerateSerializer, Immutable]
public sealed record ShardSearchRequest(
    [property: Id(0)] float[] Vector,
    [property: Id(1)] int K,
    [property: Id(2)] bool Exact = false,
    [property: Id(3)] string Rerank = "Auto",
    [property: Id(4)] double Oversampling = 0,
    [property: Id(5)] int NProbe = 0,
    [property: Id(6)] bool WithPayload = false,
    [property: Id(7)] Filter? Filter = null,
    [property: Id(8)] bool WithVector = false,
    [property: Id(9)] float? ScoreThreshold = null);

/// <summary>A hit as a shard returns it: the engine's score (exact when re-ranked), the payload's JSON and the vector
/// if asked.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterHit(
    [property: Id(0)] PointId Id,
    [property: Id(1)] float Score,
    [property: Id(2)] string? PayloadJson = null,
    [property: Id(3)] float[]? Vector = null);

/// <summary>A point read by id or by scroll: payload JSON and vector when asked (null otherwise).</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterRecord([property: Id(0)] PointId Id, [property: Id(1)] string? PayloadJson, [property: Id(2)] float[]? Vector);

/// <summary>One page of a scroll in id order: the points, and the id to pass as <c>from</c> for the next page (null:
/// no more points).</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterScrollPage([property: Id(0)] ClusterRecord[] Points, [property: Id(1)] PointId? NextFrom);

/// <summary>One shard replica's size, as the engine reports it for its local collection.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardInfo(
    [property: Id(0)] long PointsCount,
    [property: Id(1)] long BytesOnDisk,
    [property: Id(2)] long BytesInMemory,
    [property: Id(3)] int CodeBytesPerVector);

/// <summary>A clustered collection as described to clients: its map (spec, shards, epochs) and its size summed over
/// one in-sync replica per shard (one copy of the data: the bytes of all R copies are R times these).</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterCollectionInfo([property: Id(0)] ShardMapSnapshot Map, [property: Id(1)] ShardInfo Total);

/// <summary>A merged search: the best k over the answering shards, and the shards that did not answer (empty unless
/// the request allowed partial results).</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterSearchResult([property: Id(0)] ClusterHit[] Hits, [property: Id(1)] int[] MissingShards);

/// <summary>The outcome of a clustered write: which shards acknowledged their part (per the consistency asked) and which
/// did not, with the first error of each failed shard. Points of a failed shard are not acknowledged (they may or may
/// not have been applied: retry them).</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterWriteResult(
    [property: Id(0)] int[] AcknowledgedShards,
    [property: Id(1)] int[] FailedShards,
    [property: Id(2)] string[] Errors)
{
    public bool AllAcknowledged => FailedShards.Length == 0;
}

/// <summary>What a shard replica reports about itself.</summary>
/// <param name="Epoch">Highest epoch it has seen.</param>
/// <param name="Sequence">Last write applied (the shard's log position).</param>
/// <param name="Synced">True when it holds a complete copy up to <paramref name="Sequence"/> and serves (false after a
/// restart until caught up, and during a full sync).</param>
/// <param name="Points">Live points in its local shard.</param>
/// <param name="Complete">Its local shard holds exactly the writes up to <paramref name="Sequence"/> of epoch
/// <paramref name="Epoch"/> (also after a restart): a primary at that epoch can catch it up from its log tail.</param>
/// <param name="Received">What it received by catch-up and by full sync since its silo started.</param>
/// <param name="RestoredFrom">The silo incarnation that last saved this copy's position, when this silo read it from
/// disk at start and has not re-synced it since: the disk of that (now dead) incarnation.</param>
/// <param name="TailFirst">First sequence its log tail holds (null: empty).</param>
/// <param name="TailLast">Last sequence its log tail holds (null: empty).</param>
/// <param name="TailRejected">Damaged tail records detected (and cut off) since its silo started.</param>
[GenerateSerializer, Immutable]
public sealed record ReplicaStatus(
    [property: Id(0)] long Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] bool Synced,
    [property: Id(3)] long Points,
    [property: Id(4)] bool Complete = false,
    [property: Id(5)] SyncReceived? Received = null,
    [property: Id(6)] string? RestoredFrom = null,
    [property: Id(7)] long? TailFirst = null,
    [property: Id(8)] long? TailLast = null,
    [property: Id(9)] int TailRejected = 0);

/// <summary>One chunk of a full sync: points in id order and the id the next chunk starts from (null: the last).</summary>
[GenerateSerializer, Immutable]
public sealed record FullSyncChunk([property: Id(0)] ClusterPoint[] Points, [property: Id(1)] PointId? NextFrom);

/// <summary>Where a replica's copy ends: the sequence of the last write it holds and that write's epoch (as far as the
/// replica knows it: the epoch it saved with that position).</summary>
[GenerateSerializer, Immutable]
public sealed record ReplicaLogPosition([property: Id(0)] long Epoch, [property: Id(1)] long Sequence);

/// <summary>Counts of what one replica received: catch-ups (writes and points shipped from a primary's log tail) and
/// full syncs (points copied).</summary>
[GenerateSerializer, Immutable]
public sealed record SyncReceived(
    [property: Id(0)] long CatchUps,
    [property: Id(1)] long CatchUpWrites,
    [property: Id(2)] long CatchUpPoints,
    [property: Id(3)] long FullSyncs,
    [property: Id(4)] long FullSyncPoints,
    [property: Id(5)] long FullSyncRedoWrites = 0);

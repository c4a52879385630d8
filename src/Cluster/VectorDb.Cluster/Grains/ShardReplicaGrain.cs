using Microsoft.Extensions.Logging;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Hosting;
using VectorDb.Cluster.Placement;

namespace VectorDb.Cluster.Grains;

/// <summary>
/// One replica of one shard (<see cref="IShardReplicaGrain"/>), activated only on the silo named in its key. The
/// shard's data is the engine collection <see cref="ShardReplicaKey.LocalName"/> in that silo's database; the
/// replication position and log tail are in <see cref="LocalShards"/>. Nothing here survives in the grain itself.
/// Every write is appended to the shard's durable log tail before it is applied and its position saved after (write
/// ahead): on activation, writes the tail holds beyond the saved position are re-applied.
/// </summary>
[SiloPinnedPlacement]
[KeepAlive]
internal sealed partial class ShardReplicaGrain(
    LocalShards local, Serializer<ShardWrite> codec, IOptions<ClusterSiloOptions> options, ILogger<ShardReplicaGrain> logger)
    : Grain, IShardReplicaGrain
{
    private ShardReplicaKey Key => ShardReplicaKey.Parse(this.GetPrimaryKeyString());

    private ReplicaPosition Position => local.Position(Key.LocalName);

    private DurableShardLog Tail => local.Tail(Key.LocalName);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await ReplayTailAsync();
        await base.OnActivateAsync(cancellationToken);
    }

    public async Task Open(ClusterCollectionSpec spec, long epoch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        await RecreateLocalAsync(spec, epoch);
        var position = Position;
        position.Advance(epoch, 0, Key.Silo);
        position.Synced = true;
    }

    public async Task Write(long epoch, ShardWrite write, WriteConsistency consistency)
    {
        ArgumentNullException.ThrowIfNull(write);
        var key = Key;
        var map = GrainFactory.GetGrain<IShardMapGrain>(key.Collection);
        var snapshot = await MapAsync(map, key);
        var assignment = snapshot.Shards[key.Shard];
        var position = Position;
        if (assignment.Epoch != epoch || assignment.Primary != key.Silo || position.Epoch > epoch)
        {
            throw new StaleEpochException($"shard {key.Shard} of '{key.Collection}': this replica is not the primary at epoch {epoch} (the map is at epoch {assignment.Epoch}, primary {assignment.Primary}).");
        }
        if (!position.Synced)
        {
            throw new ReplicaOutOfSyncException($"shard {key.Shard} of '{key.Collection}': the primary on {key.Silo} is not synced.");
        }
        long sequence = position.Sequence + 1;
        await ApplyLoggedAsync(epoch, sequence, write); // throws on invalid input before anything is written

        var shipping = assignment.InSync.Where(s => s != key.Silo).Select(s => ShipAsync(key, s, epoch, sequence, write)).ToArray();
        if (consistency == WriteConsistency.One)
        {
            // Replicas are still removed on failure, but not waited for; a failure here has no caller to tell.
            _ = SettleAsync(map, key, epoch, shipping).ContinueWith(t => LogBackgroundShipFailed(logger, key.Collection, key.Shard, t.Exception!.GetBaseException().Message),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Current);
            return;
        }
        int copies = 1 + await SettleAsync(map, key, epoch, shipping);
        int needed = (snapshot.Spec.Replicas / 2) + 1;
        if (consistency == WriteConsistency.Majority && copies < needed)
        {
            throw new InvalidOperationException($"shard {key.Shard} of '{key.Collection}': {copies} copies hold the write; majority needs {needed}. It is not acknowledged.");
        }
    }

    public async Task Apply(long epoch, long sequence, ShardWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var key = Key;
        var position = Position;
        if (epoch < position.Epoch)
        {
            throw new StaleEpochException($"shard {key.Shard} of '{key.Collection}' on {key.Silo} is at epoch {position.Epoch}; a write from epoch {epoch} is refused.");
        }
        if (!position.Synced || sequence != position.Sequence + 1)
        {
            throw new ReplicaOutOfSyncException(
                $"shard {key.Shard} of '{key.Collection}' on {key.Silo} holds writes up to {position.Sequence} (synced: {position.Synced}); write {sequence} cannot follow.");
        }
        await ApplyLoggedAsync(epoch, sequence, write);
    }

    public async Task<ClusterHit[]> Search(ShardSearchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var collection = await SyncedCollectionAsync();
        var engineRequest = new SearchRequest(request.Vector, request.K)
        {
            Exact = request.Exact,
            Rerank = Enum.Parse<Reranking>(request.Rerank),
            Oversampling = request.Oversampling > 0 ? request.Oversampling : SearchRequest.DefaultOversampling,
            NProbe = request.NProbe,
            WithPayload = request.WithPayload,
            WithVector = request.WithVector,
            Filter = request.Filter,
            ScoreThreshold = request.ScoreThreshold,
        };
        // The scan runs on the thread pool so that searches interleaved on this activation use several cores.
        var hits = await Task.Run(() => collection.SearchAsync(engineRequest));
        return [.. hits.Select(h => new ClusterHit(h.Id, h.Score, h.Payload?.ToJsonString(), h.Vector))];
    }

    public async Task<ClusterRecord[]> Get(PointId[] ids, bool withPayload, bool withVector)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var collection = await SyncedCollectionAsync();
        IReadOnlyList<PointId> present = ids;
        while (present.Count > 0)
        {
            try
            {
                var points = await collection.GetAsync(present, withPayload, withVector);
                return [.. points.Select(ToRecord)];
            }
            catch (PointNotFoundException e)
            {
                // Ids of this shard that were never written (or were deleted): the coordinator names them.
                var missing = e.Missing.ToHashSet();
                present = [.. present.Where(id => !missing.Contains(id))];
            }
        }
        return [];
    }

    public async Task<ClusterRecord[]> Scroll(Filter? filter, PointId? from, int limit, bool withPayload, bool withVector)
    {
        var collection = await SyncedCollectionAsync();
        var ids = collection.ListIds(filter, skip: 0, limit, from);
        if (ids.Count == 0)
        {
            return [];
        }
        if (!withPayload && !withVector)
        {
            return [.. ids.Select(id => new ClusterRecord(id, null, null))];
        }
        return [.. (await collection.GetAsync(ids, withPayload, withVector)).Select(ToRecord)];
    }

    public async Task<long> Count(Filter? filter) => (await SyncedCollectionAsync()).CountPoints(filter);

    public async Task<ShardInfo> Info()
    {
        var info = (await SyncedCollectionAsync()).GetInfo();
        return new ShardInfo(info.PointsCount, info.BytesOnDisk, info.BytesInMemory, info.CodeBytesPerVector);
    }

    public async Task<ReplicaStatus> Status()
    {
        var position = Position;
        var database = await local.DatabaseAsync();
        long points = database.TryGetCollection(Key.LocalName, out var collection) ? collection.Count : 0;
        var received = position.Received;
        var tail = Tail;
        return new ReplicaStatus(position.Epoch, position.Sequence, position.Synced, points, position.Complete,
            new SyncReceived(received.CatchUps, received.CatchUpWrites, received.CatchUpPoints, received.FullSyncs, received.FullSyncPoints, received.FullSyncRedoWrites),
            position.RestoredFrom, tail.FirstSequence, tail.LastSequence, tail.RejectedRecords);
    }

    public async Task<long?> StartSync(long epoch, string targetSilo)
    {
        var (map, snapshot) = await PrimaryMapAsync(epoch);
        if (snapshot.Shards[Key.Shard].InSync.Contains(targetSilo))
        {
            return null;
        }
        var target = Replica(targetSilo);
        long sequence = Position.Sequence; // this grain is non-reentrant: no write moves it during this call
        if (await TryCatchUpAsync(target, targetSilo, epoch, sequence))
        {
            await AddInSyncAsync(map, Key, epoch, targetSilo);
            return null;
        }
        await target.BeginFullSync(snapshot.Spec, epoch);
        LogFullSyncStarted(logger, Key.Collection, Key.Shard, targetSilo, sequence);
        return sequence;
    }

    public async Task<FullSyncChunk> ExportChunk(long epoch, PointId? from, int limit)
    {
        // The map's epoch is checked by StartSync and FinishSync; a primary promoted to this epoch that has written nothing
        // yet still holds the older one here.
        if (Position.Epoch > epoch || !Position.Synced)
        {
            throw new StaleEpochException($"shard {Key.Shard} of '{Key.Collection}': not a synced copy at epoch {epoch}; no export.");
        }
        var collection = (await local.DatabaseAsync()).GetCollection(Key.LocalName);
        var ids = collection.ListIds(null, skip: 0, limit + 1, from);
        PointId? next = ids.Count > limit ? ids[limit] : null;
        var records = await Get([.. ids.Take(limit)], withPayload: true, withVector: true); // ids deleted meanwhile are left out
        return new FullSyncChunk([.. records.Select(r => new ClusterPoint(r.Id, r.Vector!, r.PayloadJson))], next);
    }

    public async Task FinishSync(long epoch, string targetSilo, long startSequence)
    {
        var (map, _) = await PrimaryMapAsync(epoch);
        long sequence = Position.Sequence;
        if (Tail.Read(startSequence, sequence) is not { } redo)
        {
            throw new ReplicaOutOfSyncException(
                $"shard {Key.Shard} of '{Key.Collection}': the log tail no longer reaches back to sequence {startSequence}, where the copy to {targetSilo} started; the sync starts again.");
        }
        var target = Replica(targetSilo);
        foreach (var (recordEpoch, next, payload) in redo)
        {
            await target.FullSyncRedo(epoch, recordEpoch, next, Decode(payload));
        }
        await target.EndFullSync(epoch, sequence);
        await AddInSyncAsync(map, Key, epoch, targetSilo);
        LogSynced(logger, Key.Collection, Key.Shard, targetSilo, redo.Count, sequence);
    }

    public async Task<ReplicaLogPosition?> BeginCatchUp(long epoch)
    {
        var position = Position;
        if (position.Epoch > epoch || !position.Complete || !(await local.DatabaseAsync()).TryGetCollection(Key.LocalName, out _))
        {
            return null;
        }
        position.Synced = false;
        position.CatchingUp = true;
        position.CatchUpEpoch = epoch;
        position.RestoredFrom = null; // from here on this copy takes writes of another primary
        return new ReplicaLogPosition(position.Epoch, position.Sequence);
    }

    public async Task CatchUpApply(long epoch, long recordEpoch, long sequence, ShardWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var key = Key;
        var position = Position;
        if (!position.CatchingUp || epoch != position.CatchUpEpoch || recordEpoch > epoch || sequence != position.Sequence + 1)
        {
            throw new ReplicaOutOfSyncException($"shard {key.Shard} of '{key.Collection}' on {key.Silo} is not catching up to write {sequence} of epoch {epoch}.");
        }
        await ApplyLoggedAsync(recordEpoch, sequence, write);
        position.Received.CatchUpWrites++;
        position.Received.CatchUpPoints += write.Upserts.Length;
    }

    public Task EndCatchUp(long epoch, long sequence)
    {
        var position = Position;
        if (!position.CatchingUp || epoch != position.CatchUpEpoch || sequence != position.Sequence)
        {
            throw new ReplicaOutOfSyncException($"shard {Key.Shard} of '{Key.Collection}' on {Key.Silo} has not caught up to write {sequence} of epoch {epoch}.");
        }
        position.Advance(epoch, sequence, Key.Silo);
        position.CatchingUp = false;
        position.Synced = true;
        position.Received.CatchUps++;
        return Task.CompletedTask;
    }

    public async Task BeginFullSync(ClusterCollectionSpec spec, long epoch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var position = Position;
        if (epoch < position.Epoch)
        {
            throw new StaleEpochException($"a full sync from epoch {epoch} is older than epoch {position.Epoch} seen here.");
        }
        await RecreateLocalAsync(spec, epoch);
    }

    public async Task ImportChunk(long epoch, ClusterPoint[] points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var position = Position;
        if (epoch != position.Epoch || position.Synced)
        {
            throw new StaleEpochException($"no full sync from epoch {epoch} is in progress here.");
        }
        var collection = (await local.DatabaseAsync()).GetCollection(Key.LocalName);
        await collection.UpsertAsync([.. points.Select(ToInput)], wait: false);
        position.Received.FullSyncPoints += points.Length;
    }

    public async Task FullSyncRedo(long epoch, long recordEpoch, long sequence, ShardWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var position = Position;
        if (epoch != position.Epoch || position.Synced || position.Complete || recordEpoch > epoch)
        {
            throw new StaleEpochException($"no full sync from epoch {epoch} is in progress here.");
        }
        // Kept in the tail (it is this shard's log from the copy's start on), but the position stays unsaved: a copy cut
        // off here is not complete, and a restart then drops the tail (ReplayTailAsync).
        Tail.Append(recordEpoch, sequence, codec.SerializeToArray(write));
        await ApplyLocalAsync(Key, write);
        position.Received.FullSyncRedoWrites++;
    }

    public async Task EndFullSync(long epoch, long sequence)
    {
        var position = Position;
        if (epoch != position.Epoch || position.Synced)
        {
            throw new StaleEpochException($"no full sync from epoch {epoch} is in progress here.");
        }
        await (await local.DatabaseAsync()).GetCollection(Key.LocalName).CheckpointAsync();
        position.Advance(epoch, sequence, Key.Silo);
        position.Synced = true;
        position.Received.FullSyncs++;
    }

    public Task<bool> PrepareRecovery(string formerPrimary)
    {
        var position = Position;
        if (!position.Complete || position.CatchingUp || position.RestoredFrom != formerPrimary)
        {
            return Task.FromResult(false);
        }
        position.Synced = true;
        LogRecovering(logger, Key.Collection, Key.Shard, formerPrimary, position.Sequence);
        return Task.FromResult(true);
    }

    public async Task Drop()
    {
        var database = await local.DatabaseAsync();
        Position.Invalidate(0);
        Tail.Clear();
        if (database.TryGetCollection(Key.LocalName, out _))
        {
            await database.DropCollectionAsync(Key.LocalName);
        }
    }

    /// <summary>The local shard, if this replica holds a complete copy (reads from an incomplete one are refused).</summary>
    private async Task<VectorCollection> SyncedCollectionAsync()
    {
        var key = Key;
        if (!Position.Synced)
        {
            throw new ReplicaOutOfSyncException($"shard {key.Shard} of '{key.Collection}' on {key.Silo} is not synced; ask another replica.");
        }
        return (await local.DatabaseAsync()).GetCollection(key.LocalName);
    }

    /// <summary>The map, after checking that it names this replica primary at <paramref name="epoch"/>.</summary>
    private async Task<(IShardMapGrain Map, ShardMapSnapshot Snapshot)> PrimaryMapAsync(long epoch)
    {
        var map = GrainFactory.GetGrain<IShardMapGrain>(Key.Collection);
        var snapshot = await MapAsync(map, Key);
        var assignment = snapshot.Shards[Key.Shard];
        if (assignment.Epoch != epoch || assignment.Primary != Key.Silo)
        {
            throw new StaleEpochException($"shard {Key.Shard} of '{Key.Collection}': not the primary at epoch {epoch}; no sync.");
        }
        return (map, snapshot);
    }

    private IShardReplicaGrain Replica(string silo) => GrainFactory.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(Key.Collection, Key.Shard, silo).ToString());

    private static ClusterRecord ToRecord(RetrievedPoint point) => new(point.Id, point.Payload?.ToJsonString(), point.Vector);

    private static async Task<ShardMapSnapshot> MapAsync(IShardMapGrain map, ShardReplicaKey key) =>
        await map.Get() ?? throw new ClusterCollectionNotFoundException($"clustered collection '{key.Collection}' does not exist.");

    /// <summary>Ships one write to one replica; returns null on success, else the replica and why it failed.</summary>
    private async Task<(string Silo, Exception? Error)> ShipAsync(ShardReplicaKey key, string silo, long epoch, long sequence, ShardWrite write)
    {
        try
        {
            var replica = GrainFactory.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(key.Collection, key.Shard, silo).ToString());
            await replica.Apply(epoch, sequence, write).WaitAsync(options.Value.ReplicaAckTimeout);
            return (silo, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (silo, e);
        }
    }

    /// <summary>Waits for every shipment; removes each replica that failed from the in-sync set (compare-and-swap on the
    /// epoch) before returning how many acknowledged. A replica that has seen a newer epoch means this primary was
    /// replaced: nothing is acknowledged then.</summary>
    private async Task<int> SettleAsync(IShardMapGrain map, ShardReplicaKey key, long epoch, Task<(string Silo, Exception? Error)>[] shipping)
    {
        int acknowledged = 0;
        foreach (var (silo, error) in await Task.WhenAll(shipping))
        {
            if (error is null)
            {
                acknowledged++;
                continue;
            }
            if (error is StaleEpochException)
            {
                throw new StaleEpochException($"shard {key.Shard} of '{key.Collection}': replica {silo} has seen a newer epoch than {epoch}.", error);
            }
            LogReplicaDropped(logger, key.Collection, key.Shard, silo, error.Message);
            if (!await map.RemoveReplica(key.Shard, epoch, silo))
            {
                throw new StaleEpochException($"shard {key.Shard} of '{key.Collection}' moved past epoch {epoch}; the write is not acknowledged.");
            }
        }
        return acknowledged;
    }

    private async Task ApplyLocalAsync(ShardReplicaKey key, ShardWrite write)
    {
        var collection = (await local.DatabaseAsync()).GetCollection(key.LocalName);
        if (write.Upserts.Length > 0)
        {
            await collection.UpsertAsync([.. write.Upserts.Select(ToInput)], wait: true);
        }
        if (write.Deletes.Length > 0)
        {
            await collection.DeleteAsync(write.Deletes, wait: true);
        }
        if (write.DeleteFilter is { } filter)
        {
            await collection.DeleteAsync(filter, wait: true);
        }
    }

    /// <summary>Write <paramref name="sequence"/> appended to the durable tail, applied durably, then the position
    /// saved (write ahead: a crash in between leaves the tail ahead of the position, see <see cref="ReplayTailAsync"/>).
    /// A write the engine refuses is cut from the tail again.</summary>
    private async Task ApplyLoggedAsync(long epoch, long sequence, ShardWrite write)
    {
        var tail = Tail;
        tail.Append(epoch, sequence, codec.SerializeToArray(write));
        try
        {
            await ApplyLocalAsync(Key, write);
        }
        catch
        {
            tail.TruncateFrom(sequence);
            throw;
        }
        var position = Position;
        position.Advance(Math.Max(epoch, position.Epoch), sequence, Key.Silo);
    }

    /// <summary>A tail record's write (its checksum already held, so a failure here is a codec mismatch).</summary>
    private ShardWrite Decode(byte[] payload) =>
        codec.Deserialize(payload) ?? throw new InvalidDataException("a log tail record holds no write.");

    /// <summary>After a restart: re-applies the writes the tail holds beyond the saved position (a crash between a
    /// write's append and its position save); a tail that cannot be read back that far is cut at the position.</summary>
    private async Task ReplayTailAsync()
    {
        var position = Position;
        var tail = Tail;
        if (!position.Complete)
        {
            tail.Clear();
            return;
        }
        if (tail.LastSequence is not { } last || last <= position.Sequence)
        {
            return;
        }
        if (!(await local.DatabaseAsync()).TryGetCollection(Key.LocalName, out _) || tail.Read(position.Sequence, last) is not { } pending)
        {
            tail.TruncateFrom(position.Sequence + 1);
            return;
        }
        string? restoredFrom = position.RestoredFrom;
        foreach (var (epoch, sequence, payload) in pending)
        {
            await ApplyLocalAsync(Key, Decode(payload));
            position.Advance(Math.Max(epoch, position.Epoch), sequence, restoredFrom ?? Key.Silo);
        }
        LogReplayed(logger, Key.Collection, Key.Shard, pending.Count, last);
    }

    /// <summary>Ships the target the writes after its position from this primary's tail, when the target holds a
    /// prefix of this primary's log (below) and the tail reaches back to it; false (nothing changed on the target but a
    /// started catch-up, which a full sync then resets) otherwise.
    /// <para>Prefix: a copy complete at (e, s) with e the current epoch is a prefix of this epoch's log (one primary
    /// numbers an epoch's writes, every replica applies them in order). A copy of an older epoch e is a prefix when
    /// this primary's log holds write s with epoch e (log matching: the primary of epoch e wrote both, and both copies
    /// applied the same writes before it); otherwise it may hold a write this primary never had, and gets a full sync.</para></summary>
    private async Task<bool> TryCatchUpAsync(IShardReplicaGrain target, string targetSilo, long epoch, long sequence)
    {
        var key = Key;
        if (await target.BeginCatchUp(epoch) is not { } held || held.Sequence > sequence)
        {
            return false;
        }
        var tail = Tail;
        bool prefix = held.Epoch == epoch || held.Sequence == 0 || tail.EpochAt(held.Sequence) == held.Epoch;
        if (!prefix || tail.Read(held.Sequence, sequence) is not { } missing)
        {
            return false;
        }
        foreach (var (recordEpoch, next, payload) in missing)
        {
            await target.CatchUpApply(epoch, recordEpoch, next, Decode(payload));
        }
        await target.EndCatchUp(epoch, sequence);
        LogCaughtUp(logger, key.Collection, key.Shard, targetSilo, missing.Count, held.Sequence, sequence);
        return true;
    }

    private static async Task AddInSyncAsync(IShardMapGrain map, ShardReplicaKey key, long epoch, string targetSilo)
    {
        if (!await map.AddReplica(key.Shard, epoch, targetSilo))
        {
            throw new StaleEpochException($"shard {key.Shard} of '{key.Collection}' moved past epoch {epoch} during the sync.");
        }
    }

    /// <summary>Forgets the saved position first (a copy cut off half-way must never look complete), then recreates
    /// the local shard empty.</summary>
    private async Task RecreateLocalAsync(ClusterCollectionSpec spec, long epoch)
    {
        Position.Invalidate(epoch);
        Tail.Clear();
        var database = await local.DatabaseAsync();
        string name = Key.LocalName;
        if (database.TryGetCollection(name, out _) || database.DamagedCollections.ContainsKey(name))
        {
            await database.DropCollectionAsync(name);
        }
        await database.CreateCollectionAsync(name, spec.ToConfig());
    }

    private static PointInput ToInput(ClusterPoint point) =>
        new(point.Id, point.Vector, point.PayloadJson is null ? null : JsonNode.Parse(point.PayloadJson)!.AsObject());

    [LoggerMessage(Level = LogLevel.Warning, Message = "'{Collection}' shard {Shard}: replica {Silo} removed from the in-sync set ({Reason})")]
    private static partial void LogReplicaDropped(ILogger logger, string collection, int shard, string silo, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "'{Collection}' shard {Shard}: shipping a consistency-one write failed: {Reason}")]
    private static partial void LogBackgroundShipFailed(ILogger logger, string collection, int shard, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "'{Collection}' shard {Shard}: caught {Silo} up from its log tail ({Writes} writes, sequence {From} to {To})")]
    private static partial void LogCaughtUp(ILogger logger, string collection, int shard, string silo, int writes, long from, long to);

    [LoggerMessage(Level = LogLevel.Information, Message = "'{Collection}' shard {Shard}: re-applied {Writes} writes from the log tail (to sequence {To})")]
    private static partial void LogReplayed(ILogger logger, string collection, int shard, int writes, long to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "'{Collection}' shard {Shard}: this copy is {Former}'s disk (complete to sequence {Sequence}); taking over as primary")]
    private static partial void LogRecovering(ILogger logger, string collection, int shard, string former, long sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "'{Collection}' shard {Shard}: full sync to {Silo} started at sequence {Sequence}")]
    private static partial void LogFullSyncStarted(ILogger logger, string collection, int shard, string silo, long sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "'{Collection}' shard {Shard}: full sync to {Silo} done ({Writes} writes made during the copy shipped after it, sequence {Sequence})")]
    private static partial void LogSynced(ILogger logger, string collection, int shard, string silo, int writes, long sequence);
}

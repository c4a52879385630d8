using Orleans.Concurrency;
using VectorDb.Cluster.Contracts;

namespace VectorDb.Cluster.Grains;

/// <summary>
/// The stateless front door (<see cref="IClusterCoordinatorGrain"/>): one activation per silo that is asked, so any
/// silo coordinates. Holds no data; reads the shard map on every call (a read-only call on the map grain).
/// </summary>
[StatelessWorker]
internal sealed class ClusterCoordinatorGrain(IClusterMembershipService membership) : Grain, IClusterCoordinatorGrain
{
    private static int s_spread;

    public async Task<ShardMapSnapshot> CreateCollection(string name, ClusterCollectionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        CollectionNames.Validate(name);
        if (name.Length > ShardReplicaKey.MaxCollectionNameLength)
        {
            throw new ArgumentException($"clustered collection names hold at most {ShardReplicaKey.MaxCollectionNameLength} characters.", nameof(name));
        }
        spec.Validate(new EngineLimits());
        string[] silos = [.. membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString())
            .Order(StringComparer.Ordinal)];
        var map = await GrainFactory.GetGrain<IShardMapGrain>(name).Create(spec, silos);
        await Task.WhenAll(map.Shards.SelectMany(a => a.InSync.Select(silo => Replica(name, a.Shard, silo).Open(spec, a.Epoch))));
        await GrainFactory.GetGrain<IClusterCatalogGrain>(IClusterCatalogGrain.Key).Add(name);
        return map;
    }

    public async Task DropCollection(string name)
    {
        var mapGrain = GrainFactory.GetGrain<IShardMapGrain>(name);
        var map = await mapGrain.Get() ?? throw NotFound(name);
        await GrainFactory.GetGrain<IClusterCatalogGrain>(IClusterCatalogGrain.Key).Remove(name);
        // Every active silo, not only the in-sync sets: a replica dropped from a set still has files.
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToParsableString());
        await Task.WhenAll(silos.SelectMany(silo => map.Shards.Select(a => Replica(name, a.Shard, silo).Drop())));
        await mapGrain.Clear();
    }

    public Task<ClusterWriteResult> Upsert(string collection, ClusterPoint[] points, WriteConsistency consistency)
    {
        ArgumentNullException.ThrowIfNull(points);
        return WriteAsync(collection, consistency, spec => ClusterRequestValidation.ValidateUpsert(spec, points), shards => points
            .GroupBy(p => ShardRouting.ShardOf(p.Id, shards))
            .Select(g => (g.Key, new ShardWrite([.. g], []))));
    }

    public Task<ClusterWriteResult> Delete(string collection, PointId[] ids, WriteConsistency consistency)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return WriteAsync(collection, consistency, _ => ClusterRequestValidation.ValidateDelete(ids), shards => ids
            .Distinct()
            .GroupBy(id => ShardRouting.ShardOf(id, shards))
            .Select(g => (g.Key, new ShardWrite([], [.. g]))));
    }

    public Task<ClusterWriteResult> DeleteMatching(string collection, Filter filter, WriteConsistency consistency)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return WriteAsync(collection, consistency, _ => { }, shards => Enumerable.Range(0, shards)
            .Select(shard => (shard, new ShardWrite([], [], filter))));
    }

    public async Task<ClusterSearchResult> Search(string collection, ShardSearchRequest request, bool allowPartial, ReadPreference preference)
    {
        ArgumentNullException.ThrowIfNull(request);
        var map = await MapAsync(collection);
        int spread = preference == ReadPreference.Any ? Interlocked.Increment(ref s_spread) : 0;
        var answers = await Task.WhenAll(map.Shards.Select(a => TryReadShardAsync(collection, a, spread, replica => replica.Search(request))));
        int[] missing = [.. answers.Select((hits, shard) => (hits, shard)).Where(x => x.hits is null).Select(x => x.shard)];
        if (missing.Length > 0 && !allowPartial)
        {
            throw new ShardsUnavailableException(missing);
        }
        var merged = ShardMerge.TopK(answers.Where(h => h is not null)!, request.K, SmallerIsBetter(map.Spec));
        return new ClusterSearchResult(merged, missing);
    }

    public async Task<ClusterRecord[]> Get(string collection, PointId[] ids, bool withPayload, bool withVector)
    {
        var found = await ReadByIdAsync(collection, ids, withPayload, withVector);
        var missing = ids.Where(id => !found.ContainsKey(id)).Distinct().ToArray();
        return missing.Length > 0 ? throw new PointNotFoundException(collection, missing) : [.. ids.Select(id => found[id])];
    }

    public async Task<ClusterRecord[]> GetExisting(string collection, PointId[] ids, bool withPayload, bool withVector)
    {
        var found = await ReadByIdAsync(collection, ids, withPayload, withVector);
        return [.. ids.Distinct().Where(found.ContainsKey).Select(id => found[id])];
    }

    /// <summary>The points found among <paramref name="ids"/>, each read from one in-sync replica of its shard.</summary>
    private async Task<Dictionary<PointId, ClusterRecord>> ReadByIdAsync(string collection, PointId[] ids, bool withPayload, bool withVector)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Length == 0)
        {
            throw new ArgumentException("the id list is empty; give at least one id.", nameof(ids));
        }
        ClusterRequestValidation.ValidateIdCount(ids.Length, "get");
        var map = await MapAsync(collection);
        var found = new Dictionary<PointId, ClusterRecord>();
        var parts = ids.Distinct().GroupBy(id => ShardRouting.ShardOf(id, map.Spec.Shards));
        foreach (var records in await Task.WhenAll(parts.Select(g =>
            ReadShardAsync(collection, map.Shards[g.Key], 0, replica => replica.Get([.. g], withPayload, withVector)))))
        {
            foreach (var record in records)
            {
                found[record.Id] = record;
            }
        }
        return found;
    }

    public async Task<ClusterScrollPage> Scroll(string collection, Filter? filter, PointId? from, int limit, bool withPayload, bool withVector)
    {
        ClusterRequestValidation.ValidateScrollLimit(limit);
        var map = await MapAsync(collection);
        // Each shard's first limit + 1 matching ids from 'from' on; the merged first limit + 1 decide the page and
        // where the next one starts (a shard cannot hold one of the merged first limit + 1 beyond its own first limit + 1).
        var pages = await Task.WhenAll(map.Shards.Select(a =>
            ReadShardAsync(collection, a, 0, replica => replica.Scroll(filter, from, limit + 1, withPayload, withVector))));
        var ordered = pages.SelectMany(p => p).OrderBy(r => r.Id).Take(limit + 1).ToArray();
        return ordered.Length > limit
            ? new ClusterScrollPage(ordered[..limit], ordered[limit].Id)
            : new ClusterScrollPage(ordered, null);
    }

    public async Task<long> Count(string collection, Filter? filter = null)
    {
        var map = await MapAsync(collection);
        var counts = await Task.WhenAll(map.Shards.Select(a => ReadShardAsync(collection, a, 0, replica => replica.Count(filter))));
        return counts.Sum();
    }

    public async Task<ClusterCollectionInfo> Info(string collection)
    {
        var map = await MapAsync(collection);
        var shards = await Task.WhenAll(map.Shards.Select(a => ReadShardAsync(collection, a, 0, replica => replica.Info())));
        return new ClusterCollectionInfo(map, new ShardInfo(shards.Sum(s => s.PointsCount), shards.Sum(s => s.BytesOnDisk),
            shards.Sum(s => s.BytesInMemory), shards.Max(s => s.CodeBytesPerVector)));
    }

    public Task<string[]> List() => GrainFactory.GetGrain<IClusterCatalogGrain>(IClusterCatalogGrain.Key).List();

    /// <summary>Validates the whole request, then sends each shard its part; a shard whose primary changed meanwhile
    /// is retried once on the new one.</summary>
    private async Task<ClusterWriteResult> WriteAsync(string collection, WriteConsistency consistency, Action<ClusterCollectionSpec> validate,
        Func<int, IEnumerable<(int Shard, ShardWrite Write)>> split)
    {
        var map = await MapAsync(collection);
        validate(map.Spec);
        var parts = split(map.Spec.Shards).ToArray();
        var outcomes = await Task.WhenAll(parts.Select(async part =>
        {
            try
            {
                await WriteShardAsync(collection, map.Shards[part.Shard], part.Write, consistency);
                return (part.Shard, Error: (string?)null);
            }
            catch (Exception e) when (IsRetryable(e))
            {
                var fresh = (await MapAsync(collection)).Shards[part.Shard];
                if (fresh.Epoch == map.Shards[part.Shard].Epoch)
                {
                    return (part.Shard, Error: $"{e.GetType().Name}: {e.Message}");
                }
                try
                {
                    await WriteShardAsync(collection, fresh, part.Write, consistency);
                    return (part.Shard, Error: (string?)null);
                }
                catch (Exception again) when (IsRetryable(again))
                {
                    return (part.Shard, Error: $"{again.GetType().Name}: {again.Message}");
                }
            }
        }));
        return new ClusterWriteResult(
            [.. outcomes.Where(o => o.Error is null).Select(o => o.Shard).Order()],
            [.. outcomes.Where(o => o.Error is not null).Select(o => o.Shard).Order()],
            [.. outcomes.Where(o => o.Error is not null).Select(o => o.Error!)]);
    }

    private Task WriteShardAsync(string collection, ShardAssignment assignment, ShardWrite write, WriteConsistency consistency) =>
        Replica(collection, assignment.Shard, assignment.Primary).Write(assignment.Epoch, write, consistency);

    /// <summary>A read from the first in-sync replica of the shard that answers (the primary first unless
    /// <paramref name="spread"/> rotates the order); null when none does.</summary>
    private async Task<T?> TryReadShardAsync<T>(string collection, ShardAssignment assignment, int spread, Func<IShardReplicaGrain, Task<T>> read)
        where T : class
    {
        var order = assignment.InSync.Length == 0 ? [] : assignment.InSync
            .Select((silo, i) => (silo, i))
            .OrderBy(x => (x.i + spread) % assignment.InSync.Length)
            .Select(x => x.silo)
            .ToArray();
        foreach (var silo in order)
        {
            try
            {
                return await read(Replica(collection, assignment.Shard, silo));
            }
            catch (Exception e) when (IsUnreachable(e) || e is ReplicaOutOfSyncException)
            {
                // next replica
            }
        }
        return null;
    }

    /// <summary>As <see cref="TryReadShardAsync"/>, but a shard with no answering replica fails the call.</summary>
    private async Task<T> ReadShardAsync<T>(string collection, ShardAssignment assignment, int spread, Func<IShardReplicaGrain, Task<T>> read)
    {
        var boxed = await TryReadShardAsync(collection, assignment, spread, async replica => new Box<T>(await read(replica)));
        return boxed is null ? throw new ShardsUnavailableException([assignment.Shard]) : boxed.Value;
    }

    private sealed record Box<T>(T Value);

    private async Task<ShardMapSnapshot> MapAsync(string collection)
    {
        var map = await GrainFactory.GetGrain<IShardMapGrain>(collection).Get() ?? throw NotFound(collection);
        return map.HashFunction == ShardRouting.FunctionName
            ? map
            : throw new NotSupportedException($"clustered collection '{collection}' routes ids with '{map.HashFunction}'; this build routes with '{ShardRouting.FunctionName}'.");
    }

    private IShardReplicaGrain Replica(string collection, int shard, string silo) =>
        GrainFactory.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(collection, shard, silo).ToString());

    private static bool SmallerIsBetter(ClusterCollectionSpec spec) => spec.Metric == nameof(VectorDb.Metric.L2);

    /// <summary>The silo holding the replica is gone or unreachable (Orleans' own failures, or a pinned activation refused).</summary>
    private static bool IsUnreachable(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or OrleansException
        || e.InnerException is { } inner && IsUnreachable(inner);

    private static bool IsRetryable(Exception e) => IsUnreachable(e) || e is StaleEpochException or ReplicaOutOfSyncException;

    private static ClusterCollectionNotFoundException NotFound(string name) => new($"clustered collection '{name}' does not exist.");
}

using VectorDb.Cluster.Contracts;

namespace VectorDb.Cluster.Grains;

/// <summary>
/// A collection's shard map (<see cref="IShardMapGrain"/>). Every change is written through grain storage before it
/// is answered; the storage's ETag makes a write from a stale activation fail instead of overwriting a newer map.
/// </summary>
internal sealed class ShardMapGrain(
    [PersistentState("shardmap", ClusterStorage.Name)] IPersistentState<ShardMapState> state) : Grain, IShardMapGrain
{
    private string Collection => this.GetPrimaryKeyString();

    public Task<ShardMapSnapshot?> Get() => Task.FromResult(Snapshot());

    public async Task<ShardMapSnapshot> Create(ClusterCollectionSpec spec, string[] silos)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(silos);
        if (state.State.Spec is { } existing)
        {
            return existing == spec
                ? Snapshot()!
                : throw new ArgumentException($"clustered collection '{Collection}' exists with another definition.", nameof(spec));
        }
        if (silos.Length < spec.Replicas)
        {
            throw new ArgumentException($"{spec.Replicas} replicas need as many silos; {silos.Length} are active.", nameof(spec));
        }
        state.State.Spec = spec;
        state.State.HashFunction = ShardRouting.FunctionName;
        state.State.Shards = [.. Enumerable.Range(0, spec.Shards).Select(s =>
        {
            var members = Enumerable.Range(0, spec.Replicas).Select(r => silos[(s + r) % silos.Length]).ToArray();
            return new ShardAssignment(s, 1, members[0], members);
        })];
        await Persist();
        return Snapshot()!;
    }

    public async Task<bool> RemoveReplica(int shard, long epoch, string silo)
    {
        if (Current(shard, epoch) is not { } assignment || assignment.Primary == silo)
        {
            return false;
        }
        if (!assignment.InSync.Contains(silo))
        {
            return true;
        }
        state.State.Shards[shard] = assignment with { InSync = [.. assignment.InSync.Where(s => s != silo)] };
        await Persist();
        return true;
    }

    public async Task<bool> AddReplica(int shard, long epoch, string silo)
    {
        if (Current(shard, epoch) is not { } assignment)
        {
            return false;
        }
        if (!assignment.InSync.Contains(silo))
        {
            state.State.Shards[shard] = assignment with { InSync = [.. assignment.InSync, silo] };
            await Persist();
        }
        return true;
    }

    public async Task<ShardAssignment?> Promote(int shard, long epoch, string newPrimary)
    {
        if (Current(shard, epoch) is not { } assignment || !assignment.InSync.Contains(newPrimary))
        {
            return null;
        }
        var promoted = new ShardAssignment(shard, epoch + 1, newPrimary,
            [newPrimary, .. assignment.InSync.Where(s => s != newPrimary && s != assignment.Primary)]);
        state.State.Shards[shard] = promoted;
        await Persist();
        return promoted;
    }

    public async Task<ShardAssignment?> Recover(int shard, long epoch, string formerPrimary, string newPrimary)
    {
        if (Current(shard, epoch) is not { } assignment || assignment.Primary != formerPrimary || assignment.InSync.Contains(newPrimary))
        {
            return null;
        }
        var recovered = new ShardAssignment(shard, epoch + 1, newPrimary, [newPrimary]);
        state.State.Shards[shard] = recovered;
        await Persist();
        return recovered;
    }

    public Task Clear() => state.ClearStateAsync();

    /// <summary>The shard's assignment if it is still at <paramref name="epoch"/>.</summary>
    private ShardAssignment? Current(int shard, long epoch)
    {
        var shards = state.State.Shards;
        return shard >= 0 && shard < shards.Count && shards[shard].Epoch == epoch ? shards[shard] : null;
    }

    private async Task Persist()
    {
        state.State.Version++;
        await state.WriteStateAsync();
    }

    private ShardMapSnapshot? Snapshot() => state.State.Spec is { } spec
        ? new ShardMapSnapshot(Collection, spec, state.State.HashFunction, [.. state.State.Shards], state.State.Version)
        : null;
}

[GenerateSerializer]
internal sealed class ShardMapState
{
    [Id(0)]
    public ClusterCollectionSpec? Spec { get; set; }

    [Id(1)]
    public string HashFunction { get; set; } = ShardRouting.FunctionName;

    [Id(2)]
    public List<ShardAssignment> Shards { get; set; } = [];

    /// <summary>Raised by every change (callers compare it to see whether their cached map moved).</summary>
    [Id(3)]
    public long Version { get; set; }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;

namespace VectorDb.Cluster.Hosting;

/// <summary>
/// Reacts to Orleans membership: when a silo is declared dead, promotes an in-sync replica of every shard it was
/// primary of (the one with the highest applied position, epoch + 1) and drops it from the in-sync sets; when no
/// in-sync member is alive, waits for the dead primary's disk to come back (a silo whose copy was saved by that
/// incarnation) and makes it primary at epoch + 1. When a shard is below R in-sync replicas and an active silo holds a
/// complete copy of an epoch not newer than the shard's (a replica back from a restart, the old primary included), has
/// the primary catch it up at once from its log tail (or copy the shard when the tail does not fit); otherwise, once the shard has stayed below
/// R for <see cref="ClusterSiloOptions.ReReplicationGrace"/>, has its primary copy the shard to another active silo.
/// Runs on every silo; only the active silo with the smallest address acts, and every change is a compare-and-swap
/// on the shard's epoch, so two acting at once change nothing twice.
/// It decides nothing about liveness itself: "dead" is Orleans' declaration.
/// </summary>
internal sealed partial class ShardSupervisor(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IGrainFactory grains,
    IOptions<ClusterSiloOptions> options,
    ILogger<ShardSupervisor> logger) : BackgroundService
{
    private readonly Dictionary<(string Collection, int Shard), DateTime> _underReplicatedSince = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SupervisorInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SuperviseOnceAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(logger, e.Message); // the next tick tries again
            }
        }
    }

    private async Task SuperviseOnceAsync()
    {
        var snapshot = membership.CurrentSnapshot;
        var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToParsableString()).Order(StringComparer.Ordinal).ToArray();
        if (active.Length == 0 || active[0] != silo.SiloAddress.ToParsableString())
        {
            return; // not this silo's turn
        }
        bool IsDead(string address) => snapshot.GetSiloStatus(SiloAddress.FromParsableString(address)) is SiloStatus.Dead or SiloStatus.None;
        foreach (var collection in await grains.GetGrain<IClusterCatalogGrain>(IClusterCatalogGrain.Key).List())
        {
            var mapGrain = grains.GetGrain<IShardMapGrain>(collection);
            if (await mapGrain.Get() is not { } map)
            {
                continue;
            }
            foreach (var assignment in map.Shards)
            {
                try
                {
                    await SuperviseShardAsync(collection, map.Spec, mapGrain, assignment, IsDead, active);
                }
                catch (Exception e) when (e is OrleansException or TimeoutException or StaleEpochException or ReplicaOutOfSyncException)
                {
                    LogShardFailed(logger, collection, assignment.Shard, e.Message); // one shard's trouble does not stop the others
                }
            }
        }
    }

    private async Task SuperviseShardAsync(string collection, ClusterCollectionSpec spec, IShardMapGrain map, ShardAssignment assignment,
        Func<string, bool> isDead, string[] active)
    {
        if (isDead(assignment.Primary))
        {
            await PromoteAsync(collection, map, assignment, isDead, active);
            return; // the next pass sees the new epoch
        }
        foreach (var replica in assignment.InSync.Where(s => s != assignment.Primary && isDead(s)))
        {
            await map.RemoveReplica(assignment.Shard, assignment.Epoch, replica);
        }
        var key = (collection, assignment.Shard);
        int inSync = assignment.InSync.Count(s => !isDead(s));
        if (inSync >= spec.Replicas)
        {
            _underReplicatedSince.Remove(key);
            return;
        }
        if (await CatchUpCandidateAsync(collection, assignment, active) is { } returning)
        {
            // A silo holding a complete copy of this epoch's log (a replica that restarted, or missed a few writes):
            // no grace, the primary ships it what it lacks from its tail.
            LogReReplicating(logger, collection, assignment.Shard, returning);
            await SyncAsync(collection, assignment, returning);
            _underReplicatedSince.Remove(key);
            return;
        }
        var now = DateTime.UtcNow;
        if (!_underReplicatedSince.TryGetValue(key, out var since))
        {
            _underReplicatedSince[key] = now;
            return;
        }
        if (now - since < options.Value.ReReplicationGrace)
        {
            return;
        }
        // The active silo holding the fewest in-sync replicas of this collection's shards gets the new copy.
        var load = (await map.Get())!.Shards.SelectMany(a => a.InSync).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        var target = active.Where(s => !assignment.InSync.Contains(s)).OrderBy(s => load.GetValueOrDefault(s)).ThenBy(s => s, StringComparer.Ordinal).FirstOrDefault();
        if (target is null)
        {
            return; // no silo left to hold another copy
        }
        LogReReplicating(logger, collection, assignment.Shard, target);
        await SyncAsync(collection, assignment, target);
        _underReplicatedSince.Remove(key);
    }

    /// <summary>An active silo outside the in-sync set whose replica of the shard is complete at an epoch not newer than
    /// the shard's (the primary decides whether its tail fits, else it copies the shard).</summary>
    private async Task<string?> CatchUpCandidateAsync(string collection, ShardAssignment assignment, string[] active)
    {
        foreach (var candidate in active.Where(s => !assignment.InSync.Contains(s)))
        {
            try
            {
                var status = await Replica(collection, assignment.Shard, candidate).Status();
                if (status.Complete && status.Epoch <= assignment.Epoch)
                {
                    return candidate;
                }
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // unreachable: not a candidate
            }
        }
        return null;
    }

    /// <summary>Promotes the live in-sync replica with the highest (epoch, sequence); with none, the shard stays
    /// unavailable (searches report it missing) until the dead primary's disk is back (<see cref="RecoverAsync"/>).</summary>
    private async Task PromoteAsync(string collection, IShardMapGrain map, ShardAssignment assignment, Func<string, bool> isDead, string[] active)
    {
        (string Silo, ReplicaStatus Status)? best = null;
        foreach (var candidate in assignment.InSync.Where(s => s != assignment.Primary && !isDead(s)))
        {
            try
            {
                var status = await Replica(collection, assignment.Shard, candidate).Status();
                if (status.Synced && (best is null || (status.Epoch, status.Sequence).CompareTo((best.Value.Status.Epoch, best.Value.Status.Sequence)) > 0))
                {
                    best = (candidate, status);
                }
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // unreachable: not a candidate
            }
        }
        if (best is null)
        {
            if (assignment.InSync.All(isDead))
            {
                await RecoverAsync(collection, map, assignment, active);
            }
            else
            {
                LogNoCandidate(logger, collection, assignment.Shard);
            }
            return;
        }
        if (await map.Promote(assignment.Shard, assignment.Epoch, best.Value.Silo) is { } promoted)
        {
            LogPromoted(logger, collection, assignment.Shard, best.Value.Silo, promoted.Epoch);
        }
    }

    /// <summary>Every in-sync member is dead: the copy that holds every acknowledged write is the dead primary's own
    /// (replicas hold prefixes of its log; consistency-one writes are on it alone), so the shard waits for that disk.
    /// An active silo whose copy was last saved by the dead primary's incarnation (<see cref="ReplicaStatus.RestoredFrom"/>:
    /// the same data folder, restarted) becomes primary at epoch + 1, alone in the in-sync set; the others then catch up
    /// from its durable tail or are copied.</summary>
    private async Task RecoverAsync(string collection, IShardMapGrain map, ShardAssignment assignment, string[] active)
    {
        foreach (var candidate in active)
        {
            try
            {
                var replica = Replica(collection, assignment.Shard, candidate);
                var status = await replica.Status();
                if (status.RestoredFrom != assignment.Primary || !await replica.PrepareRecovery(assignment.Primary))
                {
                    continue;
                }
                if (await map.Recover(assignment.Shard, assignment.Epoch, assignment.Primary, candidate) is { } recovered)
                {
                    LogRecovered(logger, collection, assignment.Shard, candidate, recovered.Epoch);
                }
                return;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // unreachable: not a candidate
            }
        }
        LogNoCandidate(logger, collection, assignment.Shard);
    }

    private Task SyncAsync(string collection, ShardAssignment assignment, string target) =>
        ReplicaSync.RunAsync(Replica(collection, assignment.Shard, assignment.Primary), Replica(collection, assignment.Shard, target),
            assignment.Epoch, target, options.Value.FullSyncChunk);

    private IShardReplicaGrain Replica(string collection, int shard, string silo) =>
        grains.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(collection, shard, silo).ToString());

    [LoggerMessage(Level = LogLevel.Warning, Message = "shard supervision pass failed: {Reason}")]
    private static partial void LogPassFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "'{Collection}' shard {Shard}: supervision failed this pass: {Reason}")]
    private static partial void LogShardFailed(ILogger logger, string collection, int shard, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "'{Collection}' shard {Shard}: primary's silo is dead and no live in-sync replica is left")]
    private static partial void LogNoCandidate(ILogger logger, string collection, int shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "'{Collection}' shard {Shard}: promoted {Silo} to primary at epoch {Epoch}")]
    private static partial void LogPromoted(ILogger logger, string collection, int shard, string silo, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "'{Collection}' shard {Shard}: every in-sync member was dead; the old primary's disk is back on {Silo}, primary at epoch {Epoch}")]
    private static partial void LogRecovered(ILogger logger, string collection, int shard, string silo, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "'{Collection}' shard {Shard}: building a new replica on {Silo}")]
    private static partial void LogReReplicating(ILogger logger, string collection, int shard, string silo);
}

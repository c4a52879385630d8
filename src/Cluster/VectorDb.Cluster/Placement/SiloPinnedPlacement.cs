using Orleans.Placement;
using Orleans.Runtime.Placement;
using VectorDb.Cluster.Grains;

namespace VectorDb.Cluster.Placement;

/// <summary>Places a shard replica grain on the silo named in its key (<see cref="ShardReplicaKey.Silo"/>): the
/// silo whose disk holds that replica. Never anywhere else.</summary>
[GenerateSerializer, Immutable]
public sealed class SiloPinnedPlacement : PlacementStrategy
{
    internal static readonly SiloPinnedPlacement Instance = new();
}

/// <summary>Marks a grain class as <see cref="SiloPinnedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPinnedPlacementAttribute : PlacementAttribute
{
    public SiloPinnedPlacementAttribute() : base(SiloPinnedPlacement.Instance) { }
}

/// <summary>
/// Returns the silo named in the grain's key when it is an active, compatible silo; otherwise the activation is
/// refused (<see cref="SiloUnavailableException"/>) rather than placed on a silo without that replica's data,
/// where it would come up empty.
/// </summary>
internal sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = ShardReplicaKey.Parse(target.GrainIdentity.Key.ToString()!);
        var silo = SiloAddress.FromParsableString(key.Silo);
        return context.GetCompatibleSilos(target).Contains(silo)
            ? Task.FromResult(silo)
            : throw new SiloUnavailableException($"silo {key.Silo}, which holds shard {key.Shard} of '{key.Collection}', is not active.");
    }
}

using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace NeuronHost.Cluster.Silo;

/// <summary>Places a <see cref="Grains.RowHolderGrain"/> on the silo process its key names
/// ("JOB|SILO-ADDRESS"): the grain must run where the rows are. A silo that has left fails the call.</summary>
[GenerateSerializer, Immutable]
public sealed class RowHolderPlacement : PlacementStrategy
{
    public static readonly RowHolderPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RowHolderPlacementAttribute() : PlacementAttribute(RowHolderPlacement.Instance);

internal sealed class RowHolderPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString()!;
        string address = key[(key.IndexOf('|') + 1)..];
        var silo = context.GetCompatibleSilos(target).FirstOrDefault(s => s.ToParsableString() == address);
        return silo is not null ? Task.FromResult(silo)
            : throw new OrleansException($"the silo {address} that holds these rows is not in the cluster");
    }
}

using NeuronHost.Cluster.Contracts;
using Orleans.Runtime;

namespace NeuronHost.Cluster.Grains;

/// <summary>See <see cref="IExtractionCoordinator"/>. Every change is written to storage before
/// the call returns, so a reactivation on another silo continues from the same shard table.
/// The sink (an observer reference of the client) is not persisted: the client's next
/// <see cref="Poll"/> hands it over again.</summary>
public sealed class ExtractionCoordinatorGrain(
    [PersistentState("job", ClusterNames.Storage)] IPersistentState<CoordinatorState> job) : Grain, IExtractionCoordinator
{
    private IShardSink? sink;

    private CoordinatorState S => job.State;

    public async Task Start(ClusterJobSpec spec, List<ShardSpec> shards)
    {
        if (S.Spec is not null) throw new InvalidOperationException($"job {spec.JobId} was started already");
        S.Spec = spec;
        S.Shards = shards.Select(sp => new ShardState { Spec = sp }).ToList();
        S.StartedUtc = DateTime.UtcNow;
        await job.WriteStateAsync();
    }

    public async Task<ShardAssignment?> Next(string silo)
    {
        if (S.Spec is null || S.Closed || S.Error is not null || sink is null) return null;
        // A silo that asks again is alive; it may still hold a shard it never finished (it
        // restarted): that shard goes back to the pool before the silo gets another.
        var shard = S.Shards.FirstOrDefault(x => x.Status == ShardStatus.Pending);
        if (shard is null) return null;
        shard.Status = ShardStatus.Running;
        shard.Silo = silo;
        shard.Attempts.Add(silo);
        await job.WriteStateAsync();
        return new ShardAssignment { Spec = S.Spec, Shard = shard.Spec, Sink = sink };
    }

    public async Task Done(string silo, int shard, long bytes, double seconds)
    {
        var x = S.Shards.FirstOrDefault(s => s.Spec.Index == shard);
        if (x is null || x.Status == ShardStatus.Done) return;   // a late duplicate after a reassignment
        x.Status = ShardStatus.Done;
        x.Silo = silo;
        x.Bytes = bytes;
        x.Seconds = seconds;
        await job.WriteStateAsync();
    }

    public async Task Fail(string silo, string message)
    {
        if (S.Error is not null) return;
        S.Error = message;
        await job.WriteStateAsync();
    }

    public async Task<CoordinatorState> Poll(IShardSink client)
    {
        sink = client;
        await ReclaimFromDeadSilos();
        return S;
    }

    public Task<CoordinatorState> Peek() => Task.FromResult(S);

    public async Task Close()
    {
        S.Closed = true;
        await job.WriteStateAsync();
        DeactivateOnIdle();
    }

    /// <summary>Shards running on a silo that Orleans' membership no longer lists as active go
    /// back to pending, recorded with the lost silo.</summary>
    private async Task ReclaimFromDeadSilos()
    {
        var running = S.Shards.Where(x => x.Status == ShardStatus.Running).ToList();
        if (running.Count == 0) return;
        var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        var alive = hosts.Select(h => h.SiloName).ToHashSet();
        bool changed = false;
        foreach (var x in running.Where(x => !alive.Contains(x.Silo)))
        {
            if (!S.LostSilos.Contains(x.Silo)) S.LostSilos.Add(x.Silo);
            S.Reassigned.Add(new Reassignment { Shard = x.Spec.Index, FromSilo = x.Silo, Reason = "silo left the cluster", AtUtc = DateTime.UtcNow });
            x.Status = ShardStatus.Pending;
            x.Silo = "";
            changed = true;
        }
        if (changed) await job.WriteStateAsync();
    }
}

using NeuronHost.Cluster.Contracts;
using Orleans.Runtime;

namespace NeuronHost.Cluster.Grains;

/// <summary>See <see cref="IExtractionCoordinator"/>. Every change to the shard table is written
/// to storage before the call returns, so a reactivation on another silo continues from the same
/// table. The sink (an observer reference of the client) is not persisted: the client's next
/// <see cref="Poll"/> hands it over again. Batch progress is not persisted either (a hint).</summary>
public sealed class ExtractionCoordinatorGrain(
    [PersistentState("job", ClusterNames.Storage)] IPersistentState<CoordinatorState> job,
    ILocalSiloDetails here, IClusterMembershipService membership) : Grain, IExtractionCoordinator
{
    private IShardSink? sink;

    private CoordinatorState S => job.State;

    public override async Task OnActivateAsync(CancellationToken cancellation)
    {
        // A run's state read back from Redis: this is a reactivation (the previous host died; a
        // running job is polled every 200 ms, so never idle); record where the run now lives —
        // also when it is a restarted silo of the same name.
        if (S.Spec is not null && !S.Closed)
        {
            S.Hosts.Add(here.Name);
            await job.WriteStateAsync(cancellation);
        }
    }

    public async Task Start(ClusterJobSpec spec, List<ShardSpec> shards)
    {
        if (S.Spec is not null) throw new InvalidOperationException($"job {spec.JobId} was started already");
        S.Spec = spec;
        S.Shards = shards.Select(sp => new ShardState { Spec = sp }).ToList();
        S.StartedUtc = DateTime.UtcNow;
        S.Hosts = [here.Name];
        S.ActiveAtStart = ActiveSilos().ToList();
        await job.WriteStateAsync();
    }

    public async Task<ShardAssignment?> Next(string silo, string incarnation)
    {
        if (S.Spec is null || S.Closed || S.Error is not null) return null;
        bool changed = false;
        if (S.Incarnations.All(i => i.Address != incarnation))
        {
            S.Incarnations.Add(new SiloIncarnation
            {
                Name = silo, Address = incarnation, FirstSeenUtc = DateTime.UtcNow,
                JoinedDuringRun = !S.ActiveAtStart.Contains(incarnation),
            });
            changed = true;
        }
        // A silo works on one shard at a time, so one that asks holds none: a shard still running
        // under its name was lost — by an earlier process of the same name (killed and restarted
        // before membership declared it dead), or by a Done call that never arrived.
        foreach (var x in S.Shards.Where(x => x.Status == ShardStatus.Running && x.Silo == silo))
        {
            bool restarted = x.Incarnation != incarnation;
            if (restarted && !S.LostSilos.Contains(silo)) S.LostSilos.Add(silo);
            S.Reassigned.Add(new Reassignment
            {
                Shard = x.Spec.Index, FromSilo = silo, AtUtc = DateTime.UtcNow,
                Reason = restarted ? "silo restarted" : "silo asked for more work without finishing it",
            });
            Release(x);
            changed = true;
        }
        // shards in order when their rows go to the client (it appends them in order); runs of
        // consecutive shards per silo when the silos keep them
        var shard = sink is null ? null
            : S.Spec.HoldRows ? ContiguousShardChoice.Next(S.Shards, incarnation)
            : S.Shards.FirstOrDefault(x => x.Status == ShardStatus.Pending);
        if (shard is not null)
        {
            shard.Status = ShardStatus.Running;
            shard.Silo = silo;
            shard.Incarnation = incarnation;
            shard.BatchesDone = 0;
            shard.Attempts.Add(silo);
            changed = true;
        }
        if (changed) await job.WriteStateAsync();
        return shard is null ? null : new ShardAssignment { Spec = S.Spec, Shard = shard.Spec, Sink = sink! };
    }

    public async Task Done(string silo, string incarnation, int shard, long bytes, double seconds)
    {
        var x = S.Shards.FirstOrDefault(s => s.Spec.Index == shard);
        if (x is null) return;
        if (x.Status == ShardStatus.Done)
        {
            // The client's receipt came first; the silo adds how long it took.
            if (x.Incarnation == incarnation && x.Seconds == 0) { x.Seconds = seconds; await job.WriteStateAsync(); }
            return;   // or a late duplicate after a reassignment
        }
        MarkDone(x, silo, incarnation, bytes);
        x.Seconds = seconds;
        await job.WriteStateAsync();
    }

    public Task Progress(string silo, int shard, int batchesDone)
    {
        var x = S.Shards.FirstOrDefault(s => s.Spec.Index == shard);
        if (x is not null && x.Status == ShardStatus.Running && x.Silo == silo) x.BatchesDone = batchesDone;
        return Task.CompletedTask;
    }

    public async Task Fail(string silo, string message)
    {
        if (S.Error is not null) return;
        S.Error = message;
        await job.WriteStateAsync();
    }

    public async Task<CoordinatorState> Poll(IShardSink client, List<ShardReceipt> received)
    {
        sink = client;
        bool changed = false;
        foreach (var r in received)
            if (S.Shards.FirstOrDefault(s => s.Spec.Index == r.Shard) is { Status: not ShardStatus.Done } x)
            {
                MarkDone(x, r.Silo, r.Incarnation, r.Bytes);
                changed = true;
            }
        if (changed) await job.WriteStateAsync();
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

    private static void MarkDone(ShardState x, string silo, string incarnation, long bytes)
    {
        x.Status = ShardStatus.Done;
        x.Silo = silo;
        x.Incarnation = incarnation;
        x.Bytes = bytes;
        x.BatchesDone = x.Spec.EndBatch - x.Spec.FirstBatch;
    }

    private static void Release(ShardState x)
    {
        x.Status = ShardStatus.Pending;
        x.Silo = "";
        x.Incarnation = "";
        x.BatchesDone = 0;
    }

    /// <summary>The silo processes this silo's membership view lists as active. Local: asking the
    /// management grain instead would hang this (non-reentrant) grain for up to 30 s whenever that
    /// grain lived on a silo that just died — and with it every Poll and the run's log.</summary>
    private IEnumerable<string> ActiveSilos() =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToParsableString());

    /// <summary>Shards running on a silo process that Orleans' membership no longer lists as
    /// active go back to pending, recorded with the lost silo.</summary>
    private async Task ReclaimFromDeadSilos()
    {
        // when the silos keep the rows, a finished shard's rows leave with its silo too
        bool held = S.Spec?.HoldRows == true;
        var running = S.Shards.Where(x => x.Status == ShardStatus.Running || (held && x.Status == ShardStatus.Done)).ToList();
        if (running.Count == 0) return;
        var alive = ActiveSilos().ToHashSet();
        bool changed = false;
        foreach (var x in running.Where(x => !alive.Contains(x.Incarnation)))
        {
            if (!S.LostSilos.Contains(x.Silo)) S.LostSilos.Add(x.Silo);
            S.Reassigned.Add(new Reassignment
            {
                Shard = x.Spec.Index, FromSilo = x.Silo, AtUtc = DateTime.UtcNow,
                Reason = x.Status == ShardStatus.Done ? "silo left the cluster with the shard's rows" : "silo left the cluster",
            });
            Release(x);
            changed = true;
        }
        if (changed) await job.WriteStateAsync();
    }
}

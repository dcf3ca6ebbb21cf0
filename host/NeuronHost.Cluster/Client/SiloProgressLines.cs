using NeuronHost.Cluster.Contracts;
using NeuronHost.Core.Pipeline;

namespace NeuronHost.Cluster.Client;

/// <summary>One silo's share of a run so far: shards done, shards given to it (done + running),
/// the batches of its running shard, whether it was lost, and whether another process of the
/// same name has asked for work since (it came back).</summary>
public sealed record SiloShare(string Silo, int Done, int Given, string? Running, bool Lost, bool Restarted)
{
    public override string ToString() => $"{Silo} {Done}/{Given}{(Running is null ? "" : $" ({Running})")}"
        + (Restarted ? " (restarted)" : Lost && Running is null ? " (lost)" : "");

    /// <summary>Every silo that asked for work, by name (a restarted silo's processes together), in name order.</summary>
    public static List<SiloShare> Of(CoordinatorState state) =>
        state.Incarnations.Select(i => i.Name).Concat(state.Shards.Where(x => x.Silo.Length > 0).Select(x => x.Silo)).Distinct()
            .Order(StringComparer.Ordinal).Select(name =>
            {
                var mine = state.Shards.Where(x => x.Silo == name).ToList();
                var running = mine.FirstOrDefault(x => x.Status == ShardStatus.Running);
                return new SiloShare(name, mine.Count(x => x.Status == ShardStatus.Done), mine.Count,
                    running is null ? null : $"shard {running.Spec.Index}: {running.BatchesDone}/{running.Spec.EndBatch - running.Spec.FirstBatch} batches",
                    state.LostSilos.Contains(name), state.Incarnations.Count(i => i.Name == name) > 1);
            }).ToList();

    /// <summary>"7/15 shards done; a 3/4 (shard 9: 1/4 batches), b 4/4, victim 0/0 (lost)".</summary>
    public static string Line(CoordinatorState state) =>
        $"{state.Shards.Count(x => x.Status == ShardStatus.Done)}/{state.Shards.Count} shards done; " + string.Join(", ", Of(state));
}

/// <summary>The batch log's view of a cluster run: a line naming every silo's shards done/given
/// whenever the shard table changes and at least every <see cref="Heartbeat"/> while the run goes
/// on (also when nothing changes, so a stalled silo shows); a warning for every shard taken back
/// from a lost silo; and where the coordinator grain lives (again when it moves).</summary>
internal sealed class SiloProgressLines(string jobId, PipelineLog log)
{
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(10);
    private int reassigned, hosts;
    private string lastShape = "";
    private DateTime lastLine = DateTime.MinValue;

    private CoordinatorState? last;

    /// <summary>While the coordinator does not answer: the last known table, said to be that, every <see cref="Heartbeat"/>.</summary>
    public void Waiting(DateTime since)
    {
        var now = DateTime.UtcNow;
        if (last is null || now - lastLine < Heartbeat) return;
        lastLine = now;
        log.Info($"[{now.ToLocalTime():HH:mm:ss}] shards by silo: {SiloShare.Line(last)} (as of {since.ToLocalTime():HH:mm:ss}: the coordinator does not answer)");
    }

    public void Update(CoordinatorState state, bool force = false)
    {
        last = state;
        foreach (var r in state.Reassigned.Skip(reassigned))
            log.Warn(r.Reason == "silo left the cluster"
                ? $"silo {r.FromSilo} left the cluster; shard {r.Shard} goes to another silo"
                : $"silo {r.FromSilo}: {r.Reason}; shard {r.Shard} goes to another silo");
        reassigned = state.Reassigned.Count;
        for (int i = hosts; i < state.Hosts.Count; i++)
        {
            if (i == 0) log.Info($"coordinator of job {jobId} on silo {state.Hosts[i]}");
            else
            {
                // Same name: a restarted silo, or the same silo after the cluster's directory lost the grain's entry with another silo.
                string where = state.Hosts[i] == state.Hosts[i - 1]
                    ? $"activated again on silo {state.Hosts[i]} (its earlier activation there was lost)"
                    : $"moved to silo {state.Hosts[i]} (its host, silo {state.Hosts[i - 1]}, was lost)";
                log.Warn($"coordinator of job {jobId} {where}; its state came back from Redis with {state.Shards.Count(x => x.Status == ShardStatus.Done)}/{state.Shards.Count} shards done");
            }
        }
        hosts = state.Hosts.Count;
        // Shape: who holds which shard, without the batch counts (those alone wait for the heartbeat).
        string shape = string.Join(";", state.Shards.Select(x => $"{x.Status}{x.Silo}"));
        var now = DateTime.UtcNow;
        if (!force && shape == lastShape && now - lastLine < Heartbeat) return;
        if (state.Incarnations.Count == 0 && !force) return;
        lastShape = shape; lastLine = now;
        log.Info($"[{now.ToLocalTime():HH:mm:ss}] shards by silo: {SiloShare.Line(state)}");
    }
}

using NeuronHost.Cluster.Client;
using NeuronHost.Cluster.Contracts;

namespace NeuronHost.Cli.Tui.Models;

/// <summary>What the Run view's cluster panel says, from the shard tables the cluster extraction
/// reports (<see cref="ClusterExtractStage.SiloProgress"/>): a title with the shards done, one line
/// per silo (shards done/given, its running shard's batches, lost or restarted), the shards taken
/// back from lost silos, and where the coordinator grain lives — with the time it moved, which the
/// table does not hold, so the panel notes when it first sees each new host.</summary>
public sealed class ClusterPanel
{
    private readonly List<DateTime> hostSeen = [];
    public string Title { get; private set; } = "Cluster";
    public List<string> Lines { get; private set; } = [];

    public void Update(ClusterProgress p, DateTime nowLocal)
    {
        var st = p.State;
        while (hostSeen.Count < st.Hosts.Count) hostSeen.Add(nowLocal);
        int done = st.Shards.Count(x => x.Status == ShardStatus.Done);
        Title = $"Cluster · {p.Redis} · {done}/{st.Shards.Count} shards done";
        var shares = SiloShare.Of(st);
        int width = shares.Select(x => x.Silo.Length).DefaultIfEmpty(0).Max();
        var lines = shares.Select(x => SiloLine(x, width)).ToList();
        if (shares.Count == 0) lines.Add("waiting for the silos to ask for shards…");
        foreach (var r in st.Reassigned)
        {
            string to = st.Shards.FirstOrDefault(x => x.Spec.Index == r.Shard) is { Silo.Length: > 0 } s && s.Silo != r.FromSilo ? s.Silo : "another silo";
            lines.Add($"shard {r.Shard} taken back from {r.FromSilo} ({r.Reason}), given to {to}");
        }
        if (st.Hosts.Count > 0)
        {
            string line = $"coordinator on silo {st.Hosts[^1]}";
            // Same name: a restarted silo, or the same silo after the cluster's directory lost the grain's entry with another silo.
            if (st.Hosts.Count > 1)
                line += st.Hosts[^2] == st.Hosts[^1]
                    ? $" since {hostSeen[^1]:HH:mm:ss} (activated again: its earlier activation was lost; its state came back from Redis)"
                    : $" since {hostSeen[^1]:HH:mm:ss} (moved from {st.Hosts[^2]}, lost; its state came back from Redis)";
            lines.Add(line);
        }
        if (p.UnansweredSinceUtc is { } since)
            lines.Add($"the coordinator does not answer since {since.ToLocalTime():HH:mm:ss}: the table above is its last");
        Lines = lines;
    }

    /// <summary>"a       3/4 shards done · running shard 9: 1/4 batches".</summary>
    public static string SiloLine(SiloShare x, int nameWidth)
    {
        string line = $"{x.Silo.PadRight(nameWidth)}  {x.Done}/{x.Given} shards done";
        if (x.Running is { } running) line += $" · running {running}";
        if (x.Restarted) line += " · restarted";
        else if (x.Lost) line += " · lost";
        return line;
    }

    /// <summary>A cluster error brief enough for Setup's two-row line: the first sentence and the
    /// closing hint in parentheses. (StackExchange.Redis explains a refused connection in three
    /// more sentences about its own client options.)</summary>
    public static string Brief(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        if (end < 0) return message;
        int hint = message.EndsWith(')') ? message.LastIndexOf(" (", StringComparison.Ordinal) : -1;
        return message[..(end + 1)] + (hint > end ? message[hint..] : "");
    }
}

namespace NeuronHost.Core.Reports;

/// <summary>results.json's "cluster" section of a run made with <c>--cluster</c>: which silos
/// extracted which shards, the silos lost during the run and the shards taken back from them, and
/// the rows' bytes that crossed the network to the coordinator.</summary>
public sealed class ClusterRunResult
{
    public string Redis { get; set; } = "";
    public string JobId { get; set; } = "";
    public int Shards { get; set; }
    public int BatchesPerShard { get; set; }
    public List<ClusterSiloResult> Silos { get; set; } = [];
    public List<string> LostSilos { get; set; } = [];
    public List<ClusterReassignment> ReassignedShards { get; set; } = [];
    /// <summary>The silos that hosted the run's coordinator grain, in order (more than one when its
    /// silo died and the grain came back elsewhere from its state in Redis).</summary>
    public List<string> CoordinatorSilos { get; set; } = [];
    /// <summary>Shard rows received (float32 payload; a shard sent twice counts twice).</summary>
    public long BytesReceived { get; set; }
    /// <summary>Rankings computed from the silos' per-shard class moments merged on the coordinator, not from the rows.</summary>
    public List<string> RankingsFromMoments { get; set; } = [];
    /// <summary>Class-moment bytes received from the silos (counts, means, M2, min, max; a shard sent twice counts twice).</summary>
    public long MomentBytesReceived { get; set; }
    /// <summary>Train-label bytes the silos fetched from the coordinator to compute those moments.</summary>
    public long LabelBytesSent { get; set; }
    /// <summary>Rankings computed over train rows the silos kept (their plugins' messages to the silos), not over rows sent here.</summary>
    public List<string> RankingsOverHeldRows { get; set; } = [];
    /// <summary>Probes trained and scored over the train, dev and test rows the silos kept (the probe × ranking grid without a row sent here).</summary>
    public List<string> ProbesOverHeldRows { get; set; } = [];
    /// <summary>The bytes of those rankings' and probes' messages to the silos (labels included) and of the silos' answers, and how many there were.</summary>
    public long HeldRowsBytesSent { get; set; }
    public long HeldRowsBytesReceived { get; set; }
    public long HeldRowsMessages { get; set; }
    /// <summary>What made the rows go to the coordinator ("ranking 'linear'", "probe 'linear-probe'", …).</summary>
    public List<string> RowsNeededBy { get; set; } = [];
    public double ExtractSeconds { get; set; }
    /// <summary>Set when nothing was sent to the cluster (a complete store of the same data was reused).</summary>
    public string? Note { get; set; }
}

public sealed class ClusterSiloResult
{
    public string Name { get; set; } = "";
    /// <summary>The silo process's Orleans address (endpoint@generation): a silo restarted under the same name is another entry.</summary>
    public string Address { get; set; } = "";
    public string Version { get; set; } = "";
    public List<int> Shards { get; set; } = [];
    public long Bytes { get; set; }
    /// <summary>The process was not in the cluster when the run started: it joined (or came back) during the run.</summary>
    public bool JoinedDuringRun { get; set; }
}

public sealed class ClusterReassignment
{
    public int Shard { get; set; }
    public string FromSilo { get; set; } = "";
    public string ToSilo { get; set; } = "";
    public string Reason { get; set; } = "";
}

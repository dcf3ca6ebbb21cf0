namespace NeuronHost.Cluster.Contracts;

/// <summary>What every silo needs to extract its shards of one run: the same model and corpus
/// (by path on each host, checked by hash), the same hook points, aggregation and batch size
/// as the coordinator's local plan, so that each batch is the same sequences padded together.</summary>
[GenerateSerializer]
public sealed class ClusterJobSpec
{
    [Id(0)] public string JobId { get; set; } = "";
    [Id(1)] public string ModelDir { get; set; } = "";
    [Id(2)] public string ModelHash { get; set; } = "";
    [Id(3)] public string CorpusPath { get; set; } = "";
    [Id(4)] public int? MaxSentences { get; set; }
    [Id(5)] public string CorpusHash { get; set; } = "";
    [Id(6)] public List<string> HookPoints { get; set; } = [];
    [Id(7)] public string Aggregation { get; set; } = "last";
    [Id(8)] public int BatchSize { get; set; }
    [Id(9)] public int BatchCount { get; set; }
    [Id(10)] public int Columns { get; set; }
    /// <summary>The coordinator's NeuronHost and SDK versions; a silo of another version refuses the job.</summary>
    [Id(11)] public string Version { get; set; } = "";
    /// <summary>Each silo computes its shard's train-row class moments (asking the client for the
    /// shard's train labels) and sends them before the rows: rankings that need only class
    /// moments (Probeless) run from their merge.</summary>
    [Id(12)] public bool Statistics { get; set; }
    /// <summary>The task's classes (with <see cref="Statistics"/>).</summary>
    [Id(13)] public int ClassCount { get; set; }
    /// <summary>False when every plugin of the run works from the class moments or over rows the
    /// silos keep: the rows stay on the silos. No initialiser: the Redis grain storage (Orleans'
    /// JSON settings) leaves out a false and would read back an initialiser's true after the
    /// coordinator grain moved (<c>CoordinatorStateSerializationTests</c>).</summary>
    [Id(14)] public bool SendRows { get; set; }
    /// <summary>Each silo keeps its shards' rows and train labels until the run ends: rankings
    /// that run over held rows (<c>IRankingOverHeldRows</c>) talk to them through
    /// <see cref="IRowHolderGrain"/>. A silo lost with finished shards loses their rows, so the
    /// coordinator hands those shards out again.</summary>
    [Id(15)] public bool HoldRows { get; set; }
}

/// <summary>One shard: batches [FirstBatch, EndBatch) of the plan, which are corpus sentences
/// [FirstSentence, EndSentence) and store rows [FirstRow, EndRow).</summary>
[GenerateSerializer]
public sealed class ShardSpec
{
    [Id(0)] public int Index { get; set; }
    [Id(1)] public int FirstBatch { get; set; }
    [Id(2)] public int EndBatch { get; set; }
    [Id(3)] public int FirstSentence { get; set; }
    [Id(4)] public int EndSentence { get; set; }
    [Id(5)] public long FirstRow { get; set; }
    [Id(6)] public long EndRow { get; set; }
    [Id(7)] public long Tokens { get; set; }
}

public static class ShardStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Done = "done";
}

/// <summary>A shard's place in the run (persisted with the coordinator).</summary>
[GenerateSerializer]
public sealed class ShardState
{
    [Id(0)] public ShardSpec Spec { get; set; } = new();
    [Id(1)] public string Status { get; set; } = ShardStatus.Pending;
    [Id(2)] public string Silo { get; set; } = "";
    /// <summary>Every silo the shard was given to, in order.</summary>
    [Id(3)] public List<string> Attempts { get; set; } = [];
    [Id(4)] public long Bytes { get; set; }
    [Id(5)] public double Seconds { get; set; }
    /// <summary>The Orleans address (endpoint and generation) of the silo process running or
    /// having done it: a silo restarted under the same name is another process.</summary>
    [Id(6)] public string Incarnation { get; set; } = "";
    /// <summary>Batches of a running shard extracted so far (reported by the silo; a progress hint, not a record).</summary>
    [Id(7)] public int BatchesDone { get; set; }
}

/// <summary>One silo process that asked for work during the run.</summary>
[GenerateSerializer]
public sealed class SiloIncarnation
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public string Address { get; set; } = "";
    [Id(2)] public DateTime FirstSeenUtc { get; set; }
    /// <summary>Not active in the cluster when the run started: a silo that came (back) later.</summary>
    [Id(3)] public bool JoinedDuringRun { get; set; }
}

/// <summary>A shard whose rows all reached the coordinator client, and from whom.</summary>
[GenerateSerializer]
public sealed class ShardReceipt
{
    [Id(0)] public int Shard { get; set; }
    [Id(1)] public string Silo { get; set; } = "";
    [Id(2)] public string Incarnation { get; set; } = "";
    [Id(3)] public long Bytes { get; set; }
}

/// <summary>A shard taken back from a silo that left the cluster.</summary>
[GenerateSerializer]
public sealed class Reassignment
{
    [Id(0)] public int Shard { get; set; }
    [Id(1)] public string FromSilo { get; set; } = "";
    [Id(2)] public string Reason { get; set; } = "";
    [Id(3)] public DateTime AtUtc { get; set; }
}

/// <summary>The coordinator's persisted state.</summary>
[GenerateSerializer]
public sealed class CoordinatorState
{
    [Id(0)] public ClusterJobSpec? Spec { get; set; }
    [Id(1)] public List<ShardState> Shards { get; set; } = [];
    [Id(2)] public List<string> LostSilos { get; set; } = [];
    [Id(3)] public List<Reassignment> Reassigned { get; set; } = [];
    /// <summary>One line naming the silo and what went wrong; the run stops.</summary>
    [Id(4)] public string? Error { get; set; }
    [Id(5)] public bool Closed { get; set; }
    [Id(6)] public DateTime StartedUtc { get; set; }
    /// <summary>The silos that hosted this grain, in order: more than one when its silo died and
    /// Orleans reactivated it elsewhere from the state in Redis.</summary>
    [Id(7)] public List<string> Hosts { get; set; } = [];
    /// <summary>Every silo process that asked for work, in the order they first asked.</summary>
    [Id(8)] public List<SiloIncarnation> Incarnations { get; set; } = [];
    /// <summary>Silo addresses active when the run started.</summary>
    [Id(9)] public List<string> ActiveAtStart { get; set; } = [];
}

/// <summary>A shard handed to a silo, with where to send its rows.</summary>
[GenerateSerializer]
public sealed class ShardAssignment
{
    [Id(0)] public ClusterJobSpec Spec { get; set; } = new();
    [Id(1)] public ShardSpec Shard { get; set; } = new();
    [Id(2)] public IShardSink Sink { get; set; } = null!;
}

/// <summary>A silo as it announced itself on the board.</summary>
[GenerateSerializer]
public sealed class SiloInfo
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public string Version { get; set; } = "";
    [Id(2)] public string StoreDir { get; set; } = "";
    [Id(3)] public string Endpoint { get; set; } = "";
    [Id(4)] public DateTime StartedUtc { get; set; }
    [Id(5)] public int ProcessId { get; set; }
}

[GenerateSerializer]
public sealed class BoardState
{
    [Id(0)] public List<SiloInfo> Silos { get; set; } = [];
    [Id(1)] public List<string> Jobs { get; set; } = [];
}

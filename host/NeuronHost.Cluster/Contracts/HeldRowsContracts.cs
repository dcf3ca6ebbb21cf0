namespace NeuronHost.Cluster.Contracts;

/// <summary>One silo's line to a ranking plugin over the train rows it keeps (key:
/// "JOB|SILO-ADDRESS"; the grain is placed on that silo process, see <c>RowHolderPlacement</c>).
/// The messages are the plugin's own; the grain carries them.</summary>
public interface IRowHolderGrain : IGrainWithStringKey
{
    /// <summary>How long a held-rows call may take before the coordinator gives up on a silo that is alive but does not answer.</summary>
    const string HeldRowsTimeout = "00:10:00";

    /// <summary>Creates the plugin (same name, type, version and parameters as the coordinator's)
    /// and its service over the silo's train rows of <paramref name="parts"/>. Null, or one line
    /// naming the silo and what is wrong (a shard it does not have, another plugin version…).</summary>
    /// <remarks>Opening copies the silo's rows for the plugin; a message may be a pass over all of
    /// them: both may take longer than Orleans' default 30 s on a large silo. A silo that dies
    /// meanwhile is noticed from membership, not from this timeout (see <c>ClusterHeldRows</c>).</remarks>
    [ResponseTimeout(HeldRowsTimeout)]
    Task<string?> Open(HeldRowsOpening opening);
    [ResponseTimeout(HeldRowsTimeout)]
    Task<HolderAnswer> Ask(string use, byte[] request);
    Task Close(string use);
}

/// <summary>What a silo needs to serve one ranking use over its train rows.</summary>
[GenerateSerializer]
public sealed class HeldRowsOpening
{
    [Id(0)] public string JobId { get; set; } = "";
    /// <summary>The ranking's display name: one service per use.</summary>
    [Id(1)] public string Use { get; set; } = "";
    [Id(2)] public string Plugin { get; set; } = "";
    [Id(3)] public string PluginType { get; set; } = "";
    [Id(4)] public string PluginVersion { get; set; } = "";
    [Id(5)] public Dictionary<string, string> Parameters { get; set; } = [];
    [Id(6)] public string Task { get; set; } = "";
    [Id(7)] public List<string> ClassNames { get; set; } = [];
    [Id(8)] public long TrainRows { get; set; }
    [Id(9)] public List<HeldPartSpec> Parts { get; set; } = [];
    /// <summary>A probe's opening: the plugin is a probe, and <see cref="Splits"/> say which rows of
    /// the silo's shards it holds, with their labels (<see cref="Parts"/> is then unused).</summary>
    [Id(10)] public bool Probe { get; set; }
    [Id(11)] public List<HeldSplitPart> Splits { get; set; } = [];
    [Id(12)] public long DevRows { get; set; }
    [Id(13)] public long TestRows { get; set; }
}

/// <summary>A probe's rows of one split in one shard: the split's rows [FirstRow, FirstRow +
/// Offsets.Count), at these offsets in the shard's file, with these labels.</summary>
[GenerateSerializer]
public sealed class HeldSplitPart
{
    /// <summary>0 train, 1 dev, 2 test.</summary>
    [Id(0)] public int Split { get; set; }
    [Id(1)] public int Shard { get; set; }
    [Id(2)] public long FirstRow { get; set; }
    [Id(3)] public int[] Offsets { get; set; } = [];
    [Id(4)] public int[] Labels { get; set; } = [];
}

/// <summary>A shard's train rows: the split's rows [FirstTrainRow, FirstTrainRow + TrainRows).</summary>
[GenerateSerializer]
public sealed class HeldPartSpec
{
    [Id(0)] public int Shard { get; set; }
    [Id(1)] public long FirstTrainRow { get; set; }
    [Id(2)] public long TrainRows { get; set; }
}

/// <summary>A service's answer, or the line it failed with (and whether the plugin refused its input).</summary>
[GenerateSerializer]
public sealed class HolderAnswer
{
    [Id(0)] public byte[]? Data { get; set; }
    [Id(1)] public string? Error { get; set; }
    [Id(2)] public bool InputError { get; set; }
}

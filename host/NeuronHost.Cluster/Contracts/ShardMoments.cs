namespace NeuronHost.Cluster.Contracts;

/// <summary>One shard's class moments over its train rows: for each class present in the shard,
/// the count, and per neuron the mean and M2 (Σ(x − mean)²) — what Chan's formula merges exactly —
/// plus per-neuron min and max. Classes absent from the shard are not sent.</summary>
[GenerateSerializer]
public sealed class ShardMoments
{
    [Id(0)] public int Shard { get; set; }
    [Id(1)] public int ClassCount { get; set; }
    [Id(2)] public int Columns { get; set; }
    /// <summary>The classes present, ascending; Counts, Means and M2 follow this order.</summary>
    [Id(3)] public int[] Classes { get; set; } = [];
    [Id(4)] public long[] Counts { get; set; } = [];
    /// <summary>[Classes.Length, Columns] row-major.</summary>
    [Id(5)] public double[] Means { get; set; } = [];
    [Id(6)] public double[] M2 { get; set; } = [];
    /// <summary>Per neuron over the shard's train rows (empty when it has none).</summary>
    [Id(7)] public float[] Min { get; set; } = [];
    [Id(8)] public float[] Max { get; set; } = [];

    /// <summary>The numbers' bytes (what crosses the network, less Orleans' framing).</summary>
    public long PayloadBytes => Classes.LongLength * 4 + Counts.LongLength * 8 + Means.LongLength * 8 + M2.LongLength * 8 + Min.LongLength * 4 + Max.LongLength * 4;
}

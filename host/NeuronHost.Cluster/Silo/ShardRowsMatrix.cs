using NeuronHost.Sdk;

namespace NeuronHost.Cluster.Silo;

/// <summary>Some rows of a shard held in memory, in the order given by their offsets in the
/// shard, without copying them: each run of consecutive offsets is one block over the shard's array.</summary>
internal sealed class ShardRowsMatrix : IActivationMatrix
{
    private readonly float[] shard;
    private readonly List<(long FirstRow, int Offset, int Rows)> runs = [];

    /// <param name="shard">The shard's rows [shardRows, neurons.Count], row-major.</param>
    public ShardRowsMatrix(float[] shard, IReadOnlyList<NeuronRef> neurons, IReadOnlyList<int> offsets)
    {
        this.shard = shard;
        Neurons = neurons;
        long shardRows = neurons.Count == 0 ? 0 : shard.LongLength / neurons.Count;
        for (int i = 0; i < offsets.Count; i++)
        {
            int o = offsets[i];
            if (o < 0 || o >= shardRows) throw new InvalidDataException($"row offset {o} is outside the shard's {shardRows} rows");
            if (runs.Count > 0 && runs[^1].Offset + runs[^1].Rows == o) runs[^1] = (runs[^1].FirstRow, runs[^1].Offset, runs[^1].Rows + 1);
            else runs.Add((i, o, 1));
        }
        Rows = offsets.Count;
    }

    public long Rows { get; }
    public int Columns => Neurons.Count;
    public IReadOnlyList<NeuronRef> Neurons { get; }
    public int BlockCount => runs.Count;

    public ActivationBlock GetBlock(int index)
    {
        var (first, offset, rows) = runs[index];
        return new ActivationBlock(first, rows, Columns, shard.AsMemory(checked(offset * Columns), checked(rows * Columns)));
    }
}

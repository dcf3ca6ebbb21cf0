using System.Runtime.CompilerServices;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Store;

/// <summary>Selected rows of a store (ascending) as a matrix. Blocks never cross a shard
/// boundary; a block whose rows are contiguous in a float32 shard points into the mapping, others
/// are gathered into a fresh array that stays valid as long as the caller holds it.</summary>
internal sealed class StoreRowView : IActivationMatrix
{
    private readonly ActivationStore store;
    private readonly long[] rows;
    private readonly int[] blockStarts; // index into rows; one extra entry = rows.Length

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public StoreRowView(ActivationStore store, long[] rows)
    {
        this.store = store;
        this.rows = rows;
        var starts = new List<int>();
        int limit = store.Manifest.RowsPerShard;
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i] < 0 || rows[i] >= store.Rows) throw new ArgumentOutOfRangeException(nameof(rows), $"row {rows[i]} outside 0..{store.Rows - 1}");
            if (i > 0 && rows[i] <= rows[i - 1]) throw new ArgumentException("rows must be ascending and distinct");
            if (starts.Count == 0 || i - starts[^1] >= limit || store.ShardOf(rows[i]) != store.ShardOf(rows[starts[^1]]))
                starts.Add(i);
        }
        starts.Add(rows.Length);
        blockStarts = starts.ToArray();
    }

    public long Rows => rows.Length;
    public int Columns => store.Columns;
    public IReadOnlyList<NeuronRef> Neurons => store.Neurons;
    public int BlockCount => blockStarts.Length - 1;
    public IReadOnlyList<long> StoreRows => rows;
    public ActivationStore Store => store;
    internal long[] RowArray => rows;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ActivationBlock GetBlock(int index)
    {
        int start = blockStarts[index], count = blockStarts[index + 1] - start;
        int shard = store.ShardOf(rows[start]);
        var entry = store.Manifest.Shards[shard];
        bool contiguous = rows[start + count - 1] - rows[start] == count - 1;
        if (contiguous && store.Manifest.DType == StoreDType.Float32)
        {
            var all = store.ShardFloats(shard);
            return new ActivationBlock(start, count, Columns, all.Slice((int)(rows[start] - entry.FirstRow) * Columns, count * Columns));
        }
        store.Touch(shard);
        var buffer = GC.AllocateUninitializedArray<float>(count * Columns);
        Gather(start, count, shard, buffer);
        return new ActivationBlock(start, count, Columns, buffer.AsMemory(0, count * Columns));
    }

    // Fully optimised on first call, as in the host: a plugin worker runs tiered and would copy its
    // first blocks with tier-0 code (docs/plugin-isolation.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Gather(int start, int count, int shard, float[] buffer)
    {
        for (int i = 0; i < count; i++)
            store.CopyRow(rows[start + i], buffer.AsSpan(i * Columns, Columns), shard);
    }
}

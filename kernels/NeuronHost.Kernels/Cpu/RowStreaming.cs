using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>Streams an activation matrix block by block and splits the rows of each group of
/// blocks into <c>partitions</c> contiguous ranges, one per thread. Partition p always sees its
/// rows in ascending order and before partition p+1's rows of the same group, so per-partition
/// partial results merged in partition order are deterministic for a given thread count.</summary>
internal static class RowStreaming
{
    /// <summary>Blocks are grouped until a group holds this many values, so that matrices
    /// served in tiny blocks do not pay a parallel dispatch per block.</summary>
    private const long GroupValues = 1L << 22;

    public delegate void SegmentBody(int partition, ActivationBlock block, int startRow, int endRow);

    // These loops run a few dozen times per pass: in a tiered plugin worker they would be promoted
    // (and recompiled) during a reused worker's calls; fully optimised at once, like the host.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(IActivationMatrix x, int partitions, CancellationToken cancellation, SegmentBody body)
    {
        var group = new List<ActivationBlock>();
        long groupRows = 0;
        int cols = Math.Max(x.Columns, 1);
        for (int b = 0; b < x.BlockCount; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            var block = x.GetBlock(b);
            if (block.Columns != x.Columns)
                throw new ArgumentException($"activation block {b} has {block.Columns} columns, the matrix {x.Columns}");
            if (block.Rows == 0) continue;
            group.Add(block);
            groupRows += block.Rows;
            if (groupRows * cols >= GroupValues)
            {
                RunGroup(group, groupRows, partitions, cancellation, body);
                group.Clear();
                groupRows = 0;
            }
        }
        if (groupRows > 0) RunGroup(group, groupRows, partitions, cancellation, body);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunGroup(List<ActivationBlock> group, long rows, int partitions, CancellationToken cancellation, SegmentBody body)
    {
        int p = (int)Math.Min(partitions, rows);
        if (p <= 1)
        {
            RunPartition(0, 1, group, rows, body);
            return;
        }
        ParallelFor(p, cancellation, t => RunPartition(t, p, group, rows, body));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunPartition(int t, int p, List<ActivationBlock> group, long rows, SegmentBody body)
    {
        long start = rows * t / p, end = rows * (t + 1) / p, offset = 0;
        foreach (var block in group)
        {
            long s = Math.Max(start, offset), e = Math.Min(end, offset + block.Rows);
            if (s < e) body(t, block, (int)(s - offset), (int)(e - offset));
            offset += block.Rows;
            if (offset >= end) break;
        }
    }

    /// <summary>Parallel.For over [0, count) that rethrows the first inner exception as itself
    /// (so callers see NonFiniteActivationException, not AggregateException).</summary>
    public static void ParallelFor(int count, CancellationToken cancellation, Action<int> body)
    {
        if (count == 1) { body(0); return; }
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = count, CancellationToken = cancellation }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}

using ILGPU;
using ILGPU.Runtime;
using NeuronHost.Kernels.Gpu.OnDevice;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Gpu;

public sealed partial class IlgpuKernels
{
    private Action<AcceleratorStream, Index2D, ArrayView<float>, int, ArrayView<int>, ArrayView<int>,
        ArrayView<double>, ArrayView<double>, ArrayView<float>, ArrayView<float>, ArrayView<int>>? momentsKernel;

    private Action<AcceleratorStream, Index2D, ArrayView<float>, int, ArrayView<int>, ArrayView<int>,
        ArrayView<double>, ArrayView<double>, ArrayView<float>, ArrayView<float>, ArrayView<int>> MomentsKernel =>
        momentsKernel ??= Accelerator.LoadAutoGroupedKernel<Index2D, ArrayView<float>, int, ArrayView<int>, ArrayView<int>,
            ArrayView<double>, ArrayView<double>, ArrayView<float>, ArrayView<float>, ArrayView<int>>(MomentKernel.ClassMoments);

    public ClassMoments ClassMoments(IActivationMatrix x, ReadOnlyMemory<int> labels, int classCount, CancellationToken cancellation = default)
    {
        using var serial = Serialize();
        if (classCount < 0) throw new ArgumentOutOfRangeException(nameof(classCount), $"class count must not be negative (got {classCount})");
        if (labels.Length != x.Rows)
            throw new ArgumentException($"{labels.Length} labels for an activation matrix of {x.Rows} rows");
        var span = labels.Span;
        for (int i = 0; i < span.Length; i++)
            if (span[i] < -1 || span[i] >= classCount)
                throw new ArgumentException($"label {span[i]} at row {i} is outside 0..{classCount - 1} (or -1 for no class)");

        var g = GroupMoments(x, labels, classCount, cancellation);
        int d = x.Columns;
        var means = new double[(long)classCount * d];
        var variances = new double[(long)classCount * d];
        for (int c = 0; c < classCount; c++)
            for (int j = 0; j < d; j++)
            {
                long o = (long)c * d + j;
                means[o] = g.Count[c] == 0 ? double.NaN : g.Mean[o];
                variances[o] = g.Count[c] == 0 ? double.NaN : g.M2[o] / g.Count[c];
            }
        var (overallMean, overallVariance) = g.Overall();
        return new ClassMoments(classCount, d, g.Count[..classCount], means, variances, overallMean, overallVariance, g.Min, g.Max);
    }

    /// <summary>Mean and population variance per column: the first pass of correlation.</summary>
    private (double[] Mean, double[] Variance) ColumnMoments(IActivationMatrix x, CancellationToken cancellation) =>
        GroupMoments(x, null, 0, cancellation).Overall();

    /// <summary>Moments per group: groups 0..classCount-1 are the classes, group classCount the
    /// rows labelled -1 (every row when <paramref name="labels"/> is null).</summary>
    private GroupStats GroupMoments(IActivationMatrix x, ReadOnlyMemory<int>? labels, int classCount, CancellationToken cancellation)
    {
        int groups = classCount + 1, columns = x.Columns;
        var stats = new GroupStats(groups, columns);
        if (x.Rows == 0 || columns == 0) return stats;
        int taskRows = Math.Max(1, Options.TaskRows);
        // Per chunk row: the data, a row index, and the task outputs (24 bytes per column and task, amortised).
        long outputPerTask = (long)columns * 24;
        int rows = RowsPerChunk((long)columns * 4 + 4 + outputPerTask / taskRows + 1, (long)columns * 4, 2 * groups * outputPerTask, x.Rows);
        using var stream = new ChunkStream(Accelerator, [x], rows, "class moments");
        rows = stream.RowsPerChunk;
        LastRowsPerChunk = rows;
        int maxTasks = rows / taskRows + groups + 1;
        var slots = new[] { new MomentBuffers(Accelerator, rows, maxTasks, columns, groups), new MomentBuffers(Accelerator, rows, maxTasks, columns, groups) };
        try
        {
            stream.Run(slot =>
            {
                var m = slots[slot.Index];
                int tasks = m.Prepare(slot.FirstRow, slot.Rows, labels, classCount, taskRows);
                m.RowIndex.View.SubView(0, slot.Rows).CopyFromCPU(slot.Stream, m.HostRowIndex.AsSpan(0, slot.Rows));
                m.Tasks.View.SubView(0, tasks * 3).CopyFromCPU(slot.Stream, m.HostTasks.AsSpan(0, tasks * 3));
                MomentsKernel(slot.Stream, new Index2D(columns, tasks), slot.Input(0, columns), columns, m.RowIndex.View, m.Tasks.View,
                    m.Mean.View, m.M2.View, m.Min.View, m.Max.View, slot.Bad.View);
            },
            slot =>
            {
                slot.ThrowIfFlagged(0, columns);
                slots[slot.Index].MergeInto(stats, slot.Stream);
            }, cancellation);
        }
        finally
        {
            foreach (var s in slots) s.Dispose();
        }
        return stats;
    }

    /// <summary>Host and device buffers of one slot of the moments kernel.</summary>
    private sealed class MomentBuffers : IDisposable
    {
        private readonly int columns, groups;
        private readonly int[] groupCount, groupOffset;
        private int taskCount;
        public readonly int[] HostRowIndex, HostTasks;
        public readonly MemoryBuffer1D<int, Stride1D.Dense> RowIndex, Tasks;
        public readonly MemoryBuffer1D<double, Stride1D.Dense> Mean, M2;
        public readonly MemoryBuffer1D<float, Stride1D.Dense> Min, Max;

        public MomentBuffers(Accelerator accelerator, int rows, int maxTasks, int columns, int groups)
        {
            this.columns = columns;
            this.groups = groups;
            long outputs = (long)maxTasks * columns;
            HostRowIndex = new int[rows];
            HostTasks = new int[maxTasks * 3];
            groupCount = new int[groups];
            groupOffset = new int[groups];
            RowIndex = accelerator.Allocate1D<int>(rows);
            Tasks = accelerator.Allocate1D<int>(maxTasks * 3);
            Mean = accelerator.Allocate1D<double>(outputs);
            M2 = accelerator.Allocate1D<double>(outputs);
            Min = accelerator.Allocate1D<float>(outputs);
            Max = accelerator.Allocate1D<float>(outputs);
        }

        /// <summary>Counting sort of the chunk's rows by group, then tasks of at most
        /// <paramref name="taskRows"/> rows of one group. Returns the task count.</summary>
        public int Prepare(long firstRow, int rows, ReadOnlyMemory<int>? labels, int classCount, int taskRows)
        {
            Array.Clear(groupCount);
            ReadOnlySpan<int> y = labels is { } l ? l.Span.Slice((int)firstRow, rows) : default;
            if (labels is null) groupCount[groups - 1] = rows;
            else foreach (int v in y) groupCount[v < 0 ? classCount : v]++;
            int offset = 0;
            for (int g = 0; g < groups; g++) { groupOffset[g] = offset; offset += groupCount[g]; }
            if (labels is null) for (int r = 0; r < rows; r++) HostRowIndex[r] = r;
            else
            {
                var next = (int[])groupOffset.Clone();
                for (int r = 0; r < rows; r++) { int v = y[r]; HostRowIndex[next[v < 0 ? classCount : v]++] = r; }
            }
            taskCount = 0;
            for (int g = 0; g < groups; g++)
                for (int s = 0; s < groupCount[g]; s += taskRows)
                {
                    int t = taskCount++ * 3;
                    HostTasks[t] = g;
                    HostTasks[t + 1] = groupOffset[g] + s;
                    HostTasks[t + 2] = Math.Min(taskRows, groupCount[g] - s);
                }
            return taskCount;
        }

        public void MergeInto(GroupStats stats, AcceleratorStream stream)
        {
            long n = (long)taskCount * columns;
            var mean = new double[n];
            var m2 = new double[n];
            var min = new float[n];
            var max = new float[n];
            Mean.View.SubView(0, n).CopyToCPU(stream, mean);
            M2.View.SubView(0, n).CopyToCPU(stream, m2);
            Min.View.SubView(0, n).CopyToCPU(stream, min);
            Max.View.SubView(0, n).CopyToCPU(stream, max);
            stream.Synchronize();
            for (int t = 0; t < taskCount; t++)
            {
                int o = t * columns;
                stats.Merge(HostTasks[t * 3], HostTasks[t * 3 + 2], mean.AsSpan(o, columns), m2.AsSpan(o, columns), min.AsSpan(o, columns), max.AsSpan(o, columns));
            }
        }

        public void Dispose()
        {
            RowIndex.Dispose(); Tasks.Dispose(); Mean.Dispose(); M2.Dispose(); Min.Dispose(); Max.Dispose();
        }
    }
}

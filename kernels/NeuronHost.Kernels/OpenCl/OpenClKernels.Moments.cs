using NeuronHost.Sdk;

namespace NeuronHost.Kernels.OpenCl;

public sealed partial class OpenClKernels
{
    private const int MomentLanes = 4;

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
        var means = new double[classCount * d];
        var variances = new double[classCount * d];
        var counts = new long[classCount];
        for (int c = 0; c < classCount; c++)
        {
            counts[c] = g.Count[c];
            for (int j = 0; j < d; j++)
            {
                int o = c * d + j;
                means[o] = g.Count[c] == 0 ? double.NaN : g.Mean[o];
                variances[o] = g.Count[c] == 0 ? double.NaN : g.M2[o] / g.Count[c];
            }
        }
        var (overallMean, overallVariance) = g.Overall();
        return new ClassMoments(classCount, d, counts, means, variances, overallMean, overallVariance, g.Min, g.Max);
    }

    /// <summary>Mean and population variance per column (one group): the first pass of
    /// correlation.</summary>
    internal (double[] Mean, double[] Variance) ColumnMoments(IActivationMatrix x, CancellationToken cancellation)
    {
        var g = GroupMoments(x, null, 0, cancellation);
        return g.Overall();
    }

    /// <summary>Moments per group: groups 0..classCount-1 are the classes, group classCount the
    /// rows labelled -1 (or every row when <paramref name="labels"/> is null).</summary>
    private unsafe GroupStats GroupMoments(IActivationMatrix x, ReadOnlyMemory<int>? labels, int classCount, CancellationToken cancellation)
    {
        int groups = classCount + 1, columns = x.Columns;
        int taskRows = Math.Max(1, Options.TaskRows);
        int accBytes = AccumulatesInDouble ? 8 : 4;
        // Per chunk row: 4 bytes of data per column, a row index, and the task outputs (amortised).
        long outPerTask = (long)columns * (2 * accBytes + 8);
        int rowsPerChunk = RowsPerChunk((long)columns * 4 + 4 + (outPerTask + taskRows - 1) / taskRows,
            (long)columns * 4, 2 * (groups + 1) * outPerTask, x.Rows);

        return WithChunkRetry(rowsPerChunk, rows =>
        {
            var stats = new GroupStats(groups, columns);
            if (x.Rows == 0 || columns == 0) return stats;
            using var pipeline = new ChunkPipeline(ctx, [x], rows, Options, "class moments");
            rows = pipeline.RowsPerChunk;
            LastRowsPerChunk = rows;
            int maxTasks = rows / taskRows + groups + 1;
            var slots = new MomentSlot[2];
            try
            {
                for (int s = 0; s < 2; s++) slots[s] = new MomentSlot(ctx, rows, maxTasks, columns, AccumulatesInDouble, groups);
                using var kernel = Kernel("moments.cl", "class_moments");
                int lx = LocalColumns(columns);
                var labelMemory = labels;

                pipeline.Run((slot, chunk, inputs) =>
                {
                    var m = slots[slot];
                    int tasks = m.Prepare(chunk.FirstRow, chunk.Rows, labelMemory, classCount, taskRows);
                    chunk.Uploads.Add(ctx.WriteAsync(ctx.TransferQueue, m.RowIndex, 0, m.HostRowIndexPtr, (long)chunk.Rows * 4));
                    chunk.Uploads.Add(ctx.WriteAsync(ctx.TransferQueue, m.Tasks, 0, m.HostTasksPtr, (long)tasks * 16));
                    ClErrors.Check(ctx.Api.Flush(ctx.TransferQueue), "clFlush", "(transfer queue)");
                    ctx.Fill(m.Bad, int.MaxValue, 1);
                    kernel.Arg(0, inputs[0]).Arg(1, columns).Arg(2, m.RowIndex).Arg(3, m.Tasks)
                        .Arg(4, m.OutMean).Arg(5, m.OutM2).Arg(6, m.OutMin).Arg(7, m.OutMax).Arg(8, m.Bad)
                        .Local(9, (long)lx * MomentLanes * accBytes).Local(10, (long)lx * MomentLanes * accBytes)
                        .Local(11, (long)lx * MomentLanes * 4).Local(12, (long)lx * MomentLanes * 4);
                    Track(kernel.Launch(ctx.ComputeQueue, [columns, (long)tasks * MomentLanes], [lx, MomentLanes], chunk.Uploads.ToArray())).Release();
                    return m.EnqueueReads(ctx, tasks);
                },
                (slot, chunk) =>
                {
                    var m = slots[slot];
                    chunk.ThrowIfNonFinite(0, m.HostBad[0], columns);
                    m.MergeInto(stats);
                }, cancellation);
            }
            finally
            {
                foreach (var s in slots) s?.Dispose();
            }
            return stats;
        });
    }

    /// <summary>Host and device buffers of one pipeline slot of the moments kernel.</summary>
    private sealed unsafe class MomentSlot : IDisposable
    {
        private readonly int columns, groups;
        private readonly bool fp64;
        private readonly int[] hostRowIndex, hostTasks, groupCount, groupOffset;
        private readonly double[]? hostMeanD, hostM2D;
        private readonly float[]? hostMeanF, hostM2F;
        private readonly float[] hostMin, hostMax;
        public readonly int[] HostBad;
        private int taskCount;
        public ClBuffer RowIndex, Tasks, OutMean, OutM2, OutMin, OutMax, Bad;

        public MomentSlot(ClContext ctx, int rows, int maxTasks, int columns, bool fp64, int groups)
        {
            this.columns = columns;
            this.groups = groups;
            this.fp64 = fp64;
            long outputs = (long)maxTasks * columns;
            hostRowIndex = GC.AllocateUninitializedArray<int>(rows, pinned: true);
            hostTasks = GC.AllocateUninitializedArray<int>(maxTasks * 4, pinned: true);
            if (fp64)
            {
                hostMeanD = GC.AllocateUninitializedArray<double>(checked((int)outputs), pinned: true);
                hostM2D = GC.AllocateUninitializedArray<double>((int)outputs, pinned: true);
            }
            else
            {
                hostMeanF = GC.AllocateUninitializedArray<float>(checked((int)outputs), pinned: true);
                hostM2F = GC.AllocateUninitializedArray<float>((int)outputs, pinned: true);
            }
            hostMin = GC.AllocateUninitializedArray<float>((int)outputs, pinned: true);
            hostMax = GC.AllocateUninitializedArray<float>((int)outputs, pinned: true);
            HostBad = GC.AllocateArray<int>(1, pinned: true);
            groupCount = new int[groups];
            groupOffset = new int[groups];
            int acc = fp64 ? 8 : 4;
            RowIndex = ctx.Buffer((long)rows * 4, "moments row index", ClApi.MemReadOnly);
            Tasks = ctx.Buffer((long)maxTasks * 16, "moments tasks", ClApi.MemReadOnly);
            OutMean = ctx.Buffer(outputs * acc, "moments task means");
            OutM2 = ctx.Buffer(outputs * acc, "moments task M2");
            OutMin = ctx.Buffer(outputs * 4, "moments task min");
            OutMax = ctx.Buffer(outputs * 4, "moments task max");
            Bad = ctx.Buffer(4, "non-finite row flag");
        }

        public void* HostRowIndexPtr { get { fixed (int* p = hostRowIndex) return p; } }
        public void* HostTasksPtr { get { fixed (int* p = hostTasks) return p; } }

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
            if (labels is null) for (int r = 0; r < rows; r++) hostRowIndex[r] = r;
            else
            {
                var next = (int[])groupOffset.Clone();
                for (int r = 0; r < rows; r++) { int v = y[r]; hostRowIndex[next[v < 0 ? classCount : v]++] = r; }
            }
            taskCount = 0;
            for (int g = 0; g < groups; g++)
                for (int s = 0; s < groupCount[g]; s += taskRows)
                {
                    int t = taskCount++ * 4;
                    hostTasks[t] = g;
                    hostTasks[t + 1] = groupOffset[g] + s;
                    hostTasks[t + 2] = Math.Min(taskRows, groupCount[g] - s);
                    hostTasks[t + 3] = 0;
                }
            return taskCount;
        }

        public ClEvent EnqueueReads(ClContext ctx, int tasks)
        {
            long n = (long)tasks * columns;
            int acc = fp64 ? 8 : 4;
            void* meanPtr, m2Ptr;
            if (fp64) { fixed (double* a = hostMeanD) meanPtr = a; fixed (double* b = hostM2D) m2Ptr = b; }
            else { fixed (float* a = hostMeanF) meanPtr = a; fixed (float* b = hostM2F) m2Ptr = b; }
            fixed (float* mn = hostMin) fixed (float* mx = hostMax) fixed (int* bad = HostBad)
            {
                ctx.ReadAsync(OutMean, 0, meanPtr, n * acc).Release();
                ctx.ReadAsync(OutM2, 0, m2Ptr, n * acc).Release();
                ctx.ReadAsync(OutMin, 0, mn, n * 4).Release();
                ctx.ReadAsync(OutMax, 0, mx, n * 4).Release();
                return ctx.ReadAsync(Bad, 0, bad, 4);
            }
        }

        /// <summary>Chan et al.'s pairwise merge of every task into its group, in float64.</summary>
        public void MergeInto(GroupStats stats)
        {
            for (int t = 0; t < taskCount; t++)
            {
                int g = hostTasks[t * 4], nb = hostTasks[t * 4 + 2];
                if (nb == 0) continue;
                long na = stats.Count[g];
                double nab = na + (double)nb, wb = nb / nab, cross = (double)na * nb / nab;
                var mean = stats.Mean.AsSpan(g * columns, columns);
                var m2 = stats.M2.AsSpan(g * columns, columns);
                int o = t * columns;
                for (int j = 0; j < columns; j++)
                {
                    double mb = fp64 ? hostMeanD![o + j] : hostMeanF![o + j];
                    double m2b = fp64 ? hostM2D![o + j] : hostM2F![o + j];
                    if (na == 0) { mean[j] = mb; m2[j] = m2b; }
                    else
                    {
                        double delta = mb - mean[j];
                        mean[j] += delta * wb;
                        m2[j] += m2b + delta * delta * cross;
                    }
                    stats.Min[j] = Math.Min(stats.Min[j], hostMin[o + j]);
                    stats.Max[j] = Math.Max(stats.Max[j], hostMax[o + j]);
                }
                stats.Count[g] = na + nb;
            }
        }

        public void Dispose()
        {
            RowIndex?.Dispose(); Tasks?.Dispose(); OutMean?.Dispose(); OutM2?.Dispose();
            OutMin?.Dispose(); OutMax?.Dispose(); Bad?.Dispose();
        }
    }

    /// <summary>Running moments per group (float64) and overall min/max.</summary>
    private sealed class GroupStats
    {
        public readonly int Groups, Columns;
        public readonly long[] Count;
        public readonly double[] Mean, M2;
        public readonly float[] Min, Max;

        public GroupStats(int groups, int columns)
        {
            Groups = groups;
            Columns = columns;
            Count = new long[groups];
            Mean = new double[groups * columns];
            M2 = new double[groups * columns];
            Min = new float[columns];
            Max = new float[columns];
            Array.Fill(Min, float.PositiveInfinity);
            Array.Fill(Max, float.NegativeInfinity);
        }

        /// <summary>All groups merged: overall mean and population variance (NaN without rows);
        /// fixes min/max of an empty matrix to NaN.</summary>
        public (double[] Mean, double[] Variance) Overall()
        {
            var mean = new double[Columns];
            var variance = new double[Columns];
            long total = Count.Sum();
            for (int j = 0; j < Columns; j++)
            {
                double n = 0, mu = 0, m2 = 0;
                for (int g = 0; g < Groups; g++)
                {
                    long nb = Count[g];
                    if (nb == 0) continue;
                    double mb = Mean[g * Columns + j], nab = n + nb, delta = mb - mu;
                    mu += delta * nb / nab;
                    m2 += M2[g * Columns + j] + delta * delta * n * nb / nab;
                    n = nab;
                }
                mean[j] = total == 0 ? double.NaN : mu;
                variance[j] = total == 0 ? double.NaN : m2 / total;
                if (total == 0) { Min[j] = float.NaN; Max[j] = float.NaN; }
            }
            return (mean, variance);
        }
    }
}

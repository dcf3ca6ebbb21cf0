using NeuronHost.Sdk;

namespace NeuronHost.Kernels.OpenCl;

public sealed partial class OpenClKernels
{
    public TopActivations TopActivatingRows(IActivationMatrix x, int k, CancellationToken cancellation = default)
    {
        using var serial = Serialize();
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), $"k must not be negative (got {k})");
        int columns = x.Columns;
        var rowsOut = new long[(long)columns * k];
        var valuesOut = new float[(long)columns * k];
        Array.Fill(rowsOut, -1L);
        Array.Fill(valuesOut, float.NaN);
        if (k == 0 || columns == 0 || x.Rows == 0) return new TopActivations(k, columns, rowsOut, valuesOut);

        int slices = RowSlices(columns);
        long state = (long)slices * k * columns;
        var topValue = new float[state];
        var topRow = new long[state];
        int rowsPerChunk = RowsPerChunk((long)columns * 4, (long)columns * 4, state * 12, x.Rows);
        WithChunkRetry(rowsPerChunk, rows =>
        {
            using var values = ctx.Buffer(state * 4, "top-k values");
            using var rowIds = ctx.Buffer(state * 8, "top-k rows");
            ctx.Fill(values, float.NegativeInfinity, state);
            ctx.Fill(rowIds, -1L, state);
            using var kernel = Kernel("stats.cl", "column_top_rows");
            StreamColumns(x, rows, "top activating rows", kernel, cancellation, (chunk, input, bad) =>
                kernel.Arg(0, input).Arg(1, chunk.Rows).Arg(2, columns).Arg(3, chunk.FirstRow).Arg(4, k)
                    .Arg(5, values).Arg(6, rowIds).Arg(7, bad), slices);
            ctx.Read<float>(values, topValue);
            ctx.Read<long>(rowIds, topRow);
            return 0;
        });

        // Merge the slices' lists: value descending, lower row first on ties.
        var candidates = new (float Value, long Row)[slices * k];
        for (int c = 0; c < columns; c++)
        {
            int count = 0;
            for (int s = 0; s < slices; s++)
                for (int j = 0; j < k; j++)
                {
                    long o = ((long)s * k + j) * columns + c;
                    if (topRow[o] >= 0) candidates[count++] = (topValue[o], topRow[o]);
                }
            var span = candidates.AsSpan(0, count);
            span.Sort((p, q) => p.Value != q.Value ? q.Value.CompareTo(p.Value) : p.Row.CompareTo(q.Row));
            for (int j = 0; j < Math.Min(k, count); j++)
            {
                rowsOut[(long)c * k + j] = span[j].Row;
                valuesOut[(long)c * k + j] = span[j].Value;
            }
        }
        return new TopActivations(k, columns, rowsOut, valuesOut);
    }

    public NeuronHistograms Histograms(IActivationMatrix x, int bins, CancellationToken cancellation = default)
    {
        using var serial = Serialize();
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), $"need at least one bin (got {bins})");
        int columns = x.Columns;
        var min = new float[columns];
        var max = new float[columns];
        var counts = new long[(long)columns * bins];
        if (x.Rows == 0 || columns == 0)
        {
            Array.Fill(min, float.NaN);
            Array.Fill(max, float.NaN);
            return new NeuronHistograms(bins, columns, min, max, counts);
        }
        if (x.Rows > uint.MaxValue) throw new ArgumentException($"histograms count in 32 bits on the device: {x.Rows} rows is too many");

        int slices = RowSlices(columns);
        // Each slice has its own counters: keep them within a quarter of the budget.
        long perSlice = (long)bins * columns * 4;
        int countSlices = (int)Math.Clamp(Budget / 4 / perSlice, 1, slices);
        long state = (long)slices * columns;
        int rowsPerChunk = RowsPerChunk((long)columns * 4, (long)columns * 4, state * 8 + countSlices * perSlice, x.Rows);
        WithChunkRetry(rowsPerChunk, rows =>
        {
            // Pass 1: min and max per column.
            using var stateMin = ctx.Buffer(state * 4, "column min");
            using var stateMax = ctx.Buffer(state * 4, "column max");
            ctx.Fill(stateMin, float.PositiveInfinity, state);
            ctx.Fill(stateMax, float.NegativeInfinity, state);
            using (var minMax = Kernel("stats.cl", "column_min_max"))
                StreamColumns(x, rows, "histograms (min/max)", minMax, cancellation, (chunk, input, bad) =>
                    minMax.Arg(0, input).Arg(1, chunk.Rows).Arg(2, columns).Arg(3, stateMin).Arg(4, stateMax).Arg(5, bad), slices);
            var sMin = new float[state];
            var sMax = new float[state];
            ctx.Read<float>(stateMin, sMin);
            ctx.Read<float>(stateMax, sMax);
            for (int c = 0; c < columns; c++)
            {
                float mn = float.PositiveInfinity, mx = float.NegativeInfinity;
                for (int s = 0; s < slices; s++) { mn = Math.Min(mn, sMin[(long)s * columns + c]); mx = Math.Max(mx, sMax[(long)s * columns + c]); }
                min[c] = mn;
                max[c] = mx;
            }

            // Pass 2: counts [slice][bin][column] on the device, summed over slices here.
            using var minBuf = ctx.Buffer<float>(min, "histogram min");
            using var maxBuf = ctx.Buffer<float>(max, "histogram max");
            long countCells = countSlices * (long)bins * columns;
            using var countBuf = ctx.Buffer(countCells * 4, "histogram counts");
            ctx.Fill(countBuf, 0u, countCells);
            using (var hist = Kernel("stats.cl", "column_histogram"))
                StreamColumns(x, rows, "histograms", hist, cancellation, (chunk, input, bad) =>
                    hist.Arg(0, input).Arg(1, chunk.Rows).Arg(2, columns).Arg(3, minBuf).Arg(4, maxBuf).Arg(5, bins).Arg(6, countBuf), countSlices);
            var device = new uint[countCells];
            ctx.Read<uint>(countBuf, device);
            Array.Clear(counts);
            for (int s = 0; s < countSlices; s++)
                for (int b = 0; b < bins; b++)
                    for (int c = 0; c < columns; c++)
                        counts[(long)c * bins + b] += device[((long)s * bins + b) * columns + c];
            return 0;
        });
        return new NeuronHistograms(bins, columns, min, max, counts);
    }

    /// <summary>Streams x through a per-column kernel over (columns, slices) work-items; the
    /// kernel's arguments are set by <paramref name="setArgs"/> (chunk, chunk buffer, non-finite
    /// flag); a flagged row becomes a <see cref="NonFiniteActivationException"/>.</summary>
    private unsafe void StreamColumns(IActivationMatrix x, int rowsPerChunk, string what, ClKernel kernel, CancellationToken cancellation,
        Action<Chunk, ClBuffer, ClBuffer> setArgs, int slices)
    {
        int columns = x.Columns, lx = LocalColumns(columns);
        using var pipeline = new ChunkPipeline(ctx, [x], rowsPerChunk, Options, what);
        LastRowsPerChunk = pipeline.RowsPerChunk;
        var bad = new[] { ctx.Buffer(4, "non-finite row flag 0"), ctx.Buffer(4, "non-finite row flag 1") };
        var hostBad = GC.AllocateArray<int>(2, pinned: true);
        try
        {
            pipeline.Run((slot, chunk, inputs) =>
            {
                ctx.Fill(bad[slot], int.MaxValue, 1);
                setArgs(chunk, inputs[0], bad[slot]);
                Track(kernel.Launch(ctx.ComputeQueue, [columns, slices], [lx, 1], chunk.Uploads.ToArray())).Release();
                fixed (int* p = hostBad) return ctx.ReadAsync(bad[slot], 0, p + slot, 4);
            },
            (slot, chunk) => chunk.ThrowIfNonFinite(0, hostBad[slot], columns), cancellation);
        }
        finally
        {
            foreach (var b in bad) b.Dispose();
        }
    }
}

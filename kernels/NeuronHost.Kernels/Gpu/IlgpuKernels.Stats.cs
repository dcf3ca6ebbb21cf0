using ILGPU;
using ILGPU.Runtime;
using NeuronHost.Kernels.Gpu.OnDevice;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Gpu;

public sealed partial class IlgpuKernels
{
    private Action<AcceleratorStream, Index2D, ArrayView<float>, int, int, int, long, int, ArrayView<float>, ArrayView<long>, ArrayView<int>>? topRowsKernel;
    private Action<AcceleratorStream, Index2D, ArrayView<float>, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<int>>? minMaxKernel;
    private Action<AcceleratorStream, Index2D, ArrayView<float>, int, int, int, ArrayView<float>, ArrayView<float>, int, ArrayView<int>>? histogramKernel;

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

        topRowsKernel ??= Accelerator.LoadAutoGroupedKernel<Index2D, ArrayView<float>, int, int, int, long, int, ArrayView<float>, ArrayView<long>, ArrayView<int>>(ColumnKernels.TopRows);
        int slices = RowSlices(columns, x.Rows);
        long state = (long)slices * k * columns;
        using var topValue = Accelerator.Allocate1D<float>(state);
        using var topRow = Accelerator.Allocate1D<long>(state);
        topRow.MemSet(0xFF);   // every entry row -1 (empty)
        int rows = RowsPerChunk((long)columns * 4, (long)columns * 4, state * 12, x.Rows);
        Stream(x, rows, "top activating rows", cancellation, slot =>
            topRowsKernel(slot.Stream, new Index2D(columns, slices), slot.Input(0, columns), slot.Rows, columns, slices, slot.FirstRow, k,
                topValue.View, topRow.View, slot.Bad.View));
        var values = topValue.GetAsArray1D();
        var rowIds = topRow.GetAsArray1D();

        // Merge the slices' lists: value descending, lower row first on ties.
        var candidates = new (float Value, long Row)[slices * k];
        for (int c = 0; c < columns; c++)
        {
            int count = 0;
            for (int s = 0; s < slices; s++)
                for (int j = 0; j < k; j++)
                {
                    long o = ((long)s * k + j) * columns + c;
                    if (rowIds[o] >= 0) candidates[count++] = (values[o], rowIds[o]);
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
        if (x.Rows > int.MaxValue) throw new ArgumentException($"histograms count in 32 bits on the device: {x.Rows} rows is too many");

        minMaxKernel ??= Accelerator.LoadAutoGroupedKernel<Index2D, ArrayView<float>, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<int>>(ColumnKernels.MinMax);
        histogramKernel ??= Accelerator.LoadAutoGroupedKernel<Index2D, ArrayView<float>, int, int, int, ArrayView<float>, ArrayView<float>, int, ArrayView<int>>(ColumnKernels.Histogram);
        int slices = RowSlices(columns, x.Rows);
        long state = (long)slices * columns;
        long cells = (long)slices * bins * columns;
        int rows = RowsPerChunk((long)columns * 4, (long)columns * 4, state * 8 + cells * 4, x.Rows);

        // Pass 1: min and max per (slice, column), reduced over slices here.
        using var sliceMin = Accelerator.Allocate1D(Enumerable.Repeat(float.PositiveInfinity, (int)state).ToArray());
        using var sliceMax = Accelerator.Allocate1D(Enumerable.Repeat(float.NegativeInfinity, (int)state).ToArray());
        Stream(x, rows, "histograms (min/max)", cancellation, slot =>
            minMaxKernel(slot.Stream, new Index2D(columns, slices), slot.Input(0, columns), slot.Rows, columns, slices, sliceMin.View, sliceMax.View, slot.Bad.View));
        var sMin = sliceMin.GetAsArray1D();
        var sMax = sliceMax.GetAsArray1D();
        for (int c = 0; c < columns; c++)
        {
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            for (int s = 0; s < slices; s++) { lo = Math.Min(lo, sMin[(long)s * columns + c]); hi = Math.Max(hi, sMax[(long)s * columns + c]); }
            min[c] = lo;
            max[c] = hi;
        }

        // Pass 2: counts per (slice, bin, column), summed over slices here.
        using var minBuffer = Accelerator.Allocate1D(min);
        using var maxBuffer = Accelerator.Allocate1D(max);
        using var countBuffer = Accelerator.Allocate1D<int>(cells);
        countBuffer.MemSetToZero();
        Stream(x, rows, "histograms", cancellation, slot =>
            histogramKernel(slot.Stream, new Index2D(columns, slices), slot.Input(0, columns), slot.Rows, columns, slices, minBuffer.View, maxBuffer.View, bins, countBuffer.View));
        var device = countBuffer.GetAsArray1D();
        for (int s = 0; s < slices; s++)
            for (int b = 0; b < bins; b++)
                for (int c = 0; c < columns; c++)
                    counts[(long)c * bins + b] += device[((long)s * bins + b) * columns + c];
        return new NeuronHistograms(bins, columns, min, max, counts);
    }

    /// <summary>Streams x through a per-column kernel whose state is shared by the chunks, so
    /// each chunk's kernel waits for the previous one (the upload of the next still overlaps).</summary>
    private void Stream(IActivationMatrix x, int rowsPerChunk, string what, CancellationToken cancellation, Action<ChunkSlot> launch)
    {
        using var stream = new ChunkStream(Accelerator, [x], rowsPerChunk, what);
        LastRowsPerChunk = stream.RowsPerChunk;
        ChunkSlot? previous = null;
        stream.Run(slot =>
        {
            previous?.Stream.Synchronize();
            launch(slot);
            previous = slot;
        }, slot => slot.ThrowIfFlagged(0, x.Columns), cancellation);
    }
}

using ILGPU;

namespace NeuronHost.Kernels.Gpu.OnDevice;

/// <summary>Per-column streaming kernels: thread (column, slice) walks a contiguous range of
/// the chunk's rows; its state lives in device memory across chunks, layout [slice][…][column],
/// and the host merges the slices.</summary>
internal static class ColumnKernels
{
    private static int SliceStart(int rows, int slices, int slice) => (int)((long)rows * slice / slices);

    /// <summary>Keeps the k largest values of the thread's rows, highest first, lower row first on
    /// ties (rows arrive in increasing order, so a tie never displaces an earlier row).
    /// Entry j of (slice, column) is at ((slice·k + j)·columns + column); row -1 means empty.</summary>
    public static void TopRows(Index2D index, ArrayView<float> x, int rows, int columns, int slices, long firstRow, int k,
        ArrayView<float> topValue, ArrayView<long> topRow, ArrayView<int> bad)
    {
        int column = index.X, slice = index.Y;
        long entry0 = (long)slice * k * columns + column;
        long last = entry0 + (long)(k - 1) * columns;
        int end = SliceStart(rows, slices, slice + 1);
        for (int r = SliceStart(rows, slices, slice); r < end; r++)
        {
            float v = x[(long)r * columns + column];
            if (DeviceMath.NotFinite(v)) { DeviceMath.FlagRow(bad, r); continue; }
            if (topRow[last] >= 0 && !(v > topValue[last])) continue;
            int j = k - 1;
            while (j > 0)
            {
                long previous = entry0 + (long)(j - 1) * columns;
                if (topRow[previous] >= 0 && !(v > topValue[previous])) break;
                topValue[previous + columns] = topValue[previous];
                topRow[previous + columns] = topRow[previous];
                j--;
            }
            topValue[entry0 + (long)j * columns] = v;
            topRow[entry0 + (long)j * columns] = firstRow + r;
        }
    }

    /// <summary>Running min and max of (slice, column) at slice·columns + column.</summary>
    public static void MinMax(Index2D index, ArrayView<float> x, int rows, int columns, int slices,
        ArrayView<float> min, ArrayView<float> max, ArrayView<int> bad)
    {
        int column = index.X, slice = index.Y;
        long o = (long)slice * columns + column;
        float lo = min[o], hi = max[o];
        int end = SliceStart(rows, slices, slice + 1);
        for (int r = SliceStart(rows, slices, slice); r < end; r++)
        {
            float v = x[(long)r * columns + column];
            if (DeviceMath.NotFinite(v)) { DeviceMath.FlagRow(bad, r); continue; }
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        min[o] = lo;
        max[o] = hi;
    }

    /// <summary>Counts per (slice, bin, column): bin = floor((x − min)·(bins / (max − min))) in
    /// float64, the top edge in the last bin, a constant column in bin 0 (as the CPU backend).</summary>
    public static void Histogram(Index2D index, ArrayView<float> x, int rows, int columns, int slices,
        ArrayView<float> min, ArrayView<float> max, int bins, ArrayView<int> counts)
    {
        int column = index.X, slice = index.Y;
        float lo = min[column], hi = max[column];
        double scale = hi > lo ? bins / ((double)hi - lo) : 0;
        long cell0 = (long)slice * bins * columns + column;
        int end = SliceStart(rows, slices, slice + 1);
        for (int r = SliceStart(rows, slices, slice); r < end; r++)
        {
            int b = (int)((x[(long)r * columns + column] - (double)lo) * scale);
            if (b >= bins) b = bins - 1;
            counts[cell0 + (long)b * columns]++;
        }
    }
}

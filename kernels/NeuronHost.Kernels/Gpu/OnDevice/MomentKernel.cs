using ILGPU;

namespace NeuronHost.Kernels.Gpu.OnDevice;

/// <summary>Class moments of one chunk. The host sorts the chunk's rows by group
/// (<c>rowIndex</c>) and cuts each group into tasks of at most TaskRows rows
/// (<c>tasks[3t..3t+2]</c> = group, first position in rowIndex, row count). Thread (column,
/// task) sums its rows shifted by the task's first value in float64 and writes the task's mean,
/// M2 (Σ(x − mean)²), min and max; the host merges tasks and chunks with Chan's formula.
/// Threads next to each other in x read neighbouring columns of one row (coalesced).</summary>
internal static class MomentKernel
{
    public static void ClassMoments(Index2D index, ArrayView<float> x, int columns, ArrayView<int> rowIndex, ArrayView<int> tasks,
        ArrayView<double> mean, ArrayView<double> m2, ArrayView<float> min, ArrayView<float> max, ArrayView<int> bad)
    {
        int column = index.X, task = index.Y;
        int start = tasks[task * 3 + 1], count = tasks[task * 3 + 2];
        double shift = x[(long)rowIndex[start] * columns + column];
        double sum = 0, squares = 0;
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        for (int i = 0; i < count; i++)
        {
            int row = rowIndex[start + i];
            float v = x[(long)row * columns + column];
            if (DeviceMath.NotFinite(v)) DeviceMath.FlagRow(bad, row);
            double d = v - shift;
            sum += d;
            squares += d * d;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        long o = (long)task * columns + column;
        mean[o] = shift + sum / count;
        m2[o] = squares - sum * sum / count;
        min[o] = lo;
        max[o] = hi;
    }
}

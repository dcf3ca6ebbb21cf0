using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>Masked in-place intervention over [rows, columns]. The neuron list is cut into runs
/// of consecutive columns: a run is edited with full-width SIMD over its contiguous slice of the
/// row (the common case: a whole hook point, or a top-k set sorted by column, has long runs),
/// single columns one value at a time. Runs are applied in list order, so a neuron listed
/// twice is edited twice, exactly as a plain loop over the list would. Rows are split across
/// threads when the edit is large.</summary>
internal static unsafe class EditKernel
{
    private readonly record struct Run(int Column, int ValueIndex, int Length);

    private const long ParallelThreshold = 1L << 18;

    public static void Apply(Span<float> x, int rows, int columns, ReadOnlySpan<bool> rowMask, NeuronEdit edit, int threads)
    {
        ArgumentNullException.ThrowIfNull(edit);
        Validate(x.Length, rows, columns, rowMask.Length, edit);
        if (rows == 0 || edit.Neurons.Length == 0) return;
        var runs = Runs(edit.Neurons);
        var values = edit.Values ?? FilledValues(edit);
        int parts = (long)rows * edit.Neurons.Length >= ParallelThreshold ? Math.Min(threads, rows) : 1;
        fixed (float* px = x)
        fixed (bool* pm = rowMask)
        fixed (float* pv = values)
        {
            nint xp = (nint)px, mp = (nint)pm, vp = (nint)pv;
            bool masked = !rowMask.IsEmpty;
            RowStreaming.ParallelFor(parts, default, t =>
            {
                int start = (int)((long)rows * t / parts), end = (int)((long)rows * (t + 1) / parts);
                var bx = (float*)xp; var bm = (bool*)mp; var bv = (float*)vp;
                for (int r = start; r < end; r++)
                {
                    if (masked && !bm[r]) continue;
                    float* row = bx + (long)r * columns;
                    foreach (var run in runs)
                        EditSlice(edit.Op, row + run.Column, bv + run.ValueIndex, run.Length);
                }
            });
        }
    }

    private static void Validate(int length, int rows, int columns, int maskLength, NeuronEdit edit)
    {
        if (rows < 0 || columns < 0) throw new ArgumentException($"negative edit shape {rows} × {columns}");
        if ((long)rows * columns != length)
            throw new ArgumentException($"edit target has {length} values, not {rows} rows × {columns} columns");
        if (maskLength != 0 && maskLength != rows)
            throw new ArgumentException($"row mask has {maskLength} entries for {rows} rows");
        if (edit.Values is { } v && v.Length != edit.Neurons.Length)
            throw new ArgumentException($"edit has {v.Length} values for {edit.Neurons.Length} neurons");
        foreach (int n in edit.Neurons)
            if ((uint)n >= (uint)columns)
                throw new ArgumentException($"edit neuron {n} is outside 0..{columns - 1}");
    }

    private static float[] FilledValues(NeuronEdit edit)
    {
        var v = new float[edit.Neurons.Length];
        v.AsSpan().Fill(edit.Scalar);
        return v;
    }

    private static Run[] Runs(int[] neurons)
    {
        var runs = new List<Run>();
        int i = 0;
        while (i < neurons.Length)
        {
            int s = i;
            while (i + 1 < neurons.Length && neurons[i + 1] == neurons[i] + 1) i++;
            runs.Add(new Run(neurons[s], s, i - s + 1));
            i++;
        }
        return runs.ToArray();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EditSlice(EditOp op, float* h, float* v, int n)
    {
        int j = 0;
        if (n >= 8)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j <= n - 16; j += 16)
                    Vector512.Store(Op(op, Vector512.Load(h + j), Vector512.Load(v + j)), h + j);
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j <= n - 8; j += 8)
                    Vector256.Store(Op(op, Vector256.Load(h + j), Vector256.Load(v + j)), h + j);
            }
        }
        for (; j < n; j++) h[j] = Op(op, h[j], v[j]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Op(EditOp op, float h, float v) => op switch
    {
        EditOp.Zero => 0f,
        EditOp.Set => v,
        EditOp.Add => h + v,
        EditOp.Scale => h * v,
        EditOp.ShiftBySign => h > 0f ? h + v : h - v,
        _ => throw new ArgumentException($"unknown edit op {op}"),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Op(EditOp op, Vector512<float> h, Vector512<float> v) => op switch
    {
        EditOp.Zero => Vector512<float>.Zero,
        EditOp.Set => v,
        EditOp.Add => h + v,
        EditOp.Scale => h * v,
        EditOp.ShiftBySign => h + Vector512.ConditionalSelect(Vector512.GreaterThan(h, Vector512<float>.Zero), v, -v),
        _ => throw new ArgumentException($"unknown edit op {op}"),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Op(EditOp op, Vector256<float> h, Vector256<float> v) => op switch
    {
        EditOp.Zero => Vector256<float>.Zero,
        EditOp.Set => v,
        EditOp.Add => h + v,
        EditOp.Scale => h * v,
        EditOp.ShiftBySign => h + Vector256.ConditionalSelect(Vector256.GreaterThan(h, Vector256<float>.Zero), v, -v),
        _ => throw new ArgumentException($"unknown edit op {op}"),
    };
}

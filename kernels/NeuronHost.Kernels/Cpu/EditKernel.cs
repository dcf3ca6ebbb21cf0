using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>Masked in-place intervention over [rows, columns]. The neuron list is cut into runs
/// of consecutive columns: a run is edited with full-width SIMD over its contiguous slice of the
/// row (the common case: a whole hook point, or a top-k set sorted by column, has long runs),
/// single columns one value at a time. Runs are applied in list order, so a neuron listed
/// twice is edited twice, exactly as a plain loop over the list would. Many scattered neurons
/// (no repeats) take a third path: one SIMD pass over the span of the row they cover, the
/// edited lanes blended in by a precomputed lane mask — they touch nearly every cache line of
/// that span anyway, and a vector per 16 columns costs less than a scalar load, op and store per
/// neuron. Rows are split across threads when the edit is large.</summary>
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
        if (DenseSpan(runs, edit.Neurons) is var (lo, width))
        {
            ApplyBlended(x, rows, columns, rowMask, edit, values, lo, width, parts);
            return;
        }
        fixed (float* px = x)
        fixed (bool* pm = rowMask)
        fixed (float* pv = values)
        {
            var job = new Job((nint)px, rowMask.IsEmpty ? 0 : (nint)pm, (nint)pv, rows, columns, runs, parts);
            switch (edit.Op)
            {
                case EditOp.Zero: Execute<ZeroOp>(job); break;
                case EditOp.Set: Execute<SetOp>(job); break;
                case EditOp.Add: Execute<AddOp>(job); break;
                case EditOp.Scale: Execute<ScaleOp>(job); break;
                case EditOp.ShiftBySign: Execute<ShiftBySignOp>(job); break;
                default: throw new ArgumentException($"unknown edit op {edit.Op}");
            }
        }
    }

    private sealed record Job(nint X, nint Mask, nint Values, int Rows, int Columns, Run[] Runs, int Parts);

    /// <summary>The span [lo, lo + width) to edit by blending, or null for the run loop: taken
    /// when the neurons form many short runs (≥ 16 runs, average under 8 columns), cover at least
    /// one column in 8 of their span (so most cache lines are touched anyway) and repeat none.</summary>
    private static (int Lo, int Width)? DenseSpan(Run[] runs, int[] neurons)
    {
        if (runs.Length < 16 || neurons.Length >= 8 * runs.Length) return null;
        int lo = neurons.Min(), hi = neurons.Max() + 1;
        if ((long)neurons.Length * 8 < hi - lo) return null;
        var seen = new HashSet<int>();
        foreach (int n in neurons) if (!seen.Add(n)) return null;
        return (lo, hi - lo);
    }

    private static void ApplyBlended(Span<float> x, int rows, int columns, ReadOnlySpan<bool> rowMask, NeuronEdit edit,
        float[] values, int lo, int width, int parts)
    {
        var dense = new float[width];
        var lanes = new int[width];   // −1 (all bits set) on edited columns: a ConditionalSelect mask
        for (int i = 0; i < edit.Neurons.Length; i++)
        {
            dense[edit.Neurons[i] - lo] = values[i];
            lanes[edit.Neurons[i] - lo] = -1;
        }
        fixed (float* px = x)
        fixed (bool* pm = rowMask)
        fixed (float* pv = dense)
        fixed (int* pl = lanes)
        {
            var job = new BlendJob((nint)px, rowMask.IsEmpty ? 0 : (nint)pm, (nint)pv, (nint)pl, rows, columns, lo, width, parts);
            switch (edit.Op)
            {
                case EditOp.Zero: Blend<ZeroOp>(job); break;
                case EditOp.Set: Blend<SetOp>(job); break;
                case EditOp.Add: Blend<AddOp>(job); break;
                case EditOp.Scale: Blend<ScaleOp>(job); break;
                case EditOp.ShiftBySign: Blend<ShiftBySignOp>(job); break;
                default: throw new ArgumentException($"unknown edit op {edit.Op}");
            }
        }
    }

    private sealed record BlendJob(nint X, nint Mask, nint Values, nint Lanes, int Rows, int Columns, int Lo, int Width, int Parts);

    private static void Blend<TOp>(BlendJob job) where TOp : struct, IEditOp
    {
        RowStreaming.ParallelFor(job.Parts, default, t =>
        {
            int start = (int)((long)job.Rows * t / job.Parts), end = (int)((long)job.Rows * (t + 1) / job.Parts);
            var mask = (bool*)job.Mask; var v = (float*)job.Values; var lanes = (int*)job.Lanes;
            int n = job.Width;
            for (int r = start; r < end; r++)
            {
                if (mask != null && !mask[r]) continue;
                float* h = (float*)job.X + (long)r * job.Columns + job.Lo;
                int j = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    for (; j <= n - 16; j += 16)
                    {
                        var old = Vector512.Load(h + j);
                        var edited = TOp.Apply(old, Vector512.Load(v + j));
                        Vector512.Store(Vector512.ConditionalSelect(Vector512.Load(lanes + j).AsSingle(), edited, old), h + j);
                    }
                }
                if (Vector256.IsHardwareAccelerated)
                {
                    for (; j <= n - 8; j += 8)
                    {
                        var old = Vector256.Load(h + j);
                        var edited = TOp.Apply(old, Vector256.Load(v + j));
                        Vector256.Store(Vector256.ConditionalSelect(Vector256.Load(lanes + j).AsSingle(), edited, old), h + j);
                    }
                }
                for (; j < n; j++) if (lanes[j] != 0) h[j] = TOp.Apply(h[j], v[j]);
            }
        });
    }

    /// <summary>One specialised loop per op (generic over a struct: the JIT compiles the op in,
    /// no switch per vector).</summary>
    private static void Execute<TOp>(Job job) where TOp : struct, IEditOp
    {
        RowStreaming.ParallelFor(job.Parts, default, t =>
        {
            int start = (int)((long)job.Rows * t / job.Parts), end = (int)((long)job.Rows * (t + 1) / job.Parts);
            var x = (float*)job.X; var mask = (bool*)job.Mask; var v = (float*)job.Values;
            var runs = job.Runs;
            for (int r = start; r < end; r++)
            {
                if (mask != null && !mask[r]) continue;
                float* row = x + (long)r * job.Columns;
                foreach (var run in runs)
                {
                    if (run.Length >= 8)
                    {
                        EditSlice<TOp>(row + run.Column, v + run.ValueIndex, run.Length);
                        continue;
                    }
                    // Short runs (scattered neurons) inline: a call per neuron would cost more than the edit.
                    float* h = row + run.Column, vv = v + run.ValueIndex;
                    for (int j = 0; j < run.Length; j++) h[j] = TOp.Apply(h[j], vv[j]);
                }
            }
        });
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
    private static void EditSlice<TOp>(float* h, float* v, int n) where TOp : struct, IEditOp
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= n - 16; j += 16)
                Vector512.Store(TOp.Apply(Vector512.Load(h + j), Vector512.Load(v + j)), h + j);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= n - 8; j += 8)
                Vector256.Store(TOp.Apply(Vector256.Load(h + j), Vector256.Load(v + j)), h + j);
        }
        for (; j < n; j++) h[j] = TOp.Apply(h[j], v[j]);
    }

    private interface IEditOp
    {
        static abstract float Apply(float h, float v);
        static abstract Vector256<float> Apply(Vector256<float> h, Vector256<float> v);
        static abstract Vector512<float> Apply(Vector512<float> h, Vector512<float> v);
    }

    private struct ZeroOp : IEditOp
    {
        public static float Apply(float h, float v) => 0f;
        public static Vector256<float> Apply(Vector256<float> h, Vector256<float> v) => Vector256<float>.Zero;
        public static Vector512<float> Apply(Vector512<float> h, Vector512<float> v) => Vector512<float>.Zero;
    }

    private struct SetOp : IEditOp
    {
        public static float Apply(float h, float v) => v;
        public static Vector256<float> Apply(Vector256<float> h, Vector256<float> v) => v;
        public static Vector512<float> Apply(Vector512<float> h, Vector512<float> v) => v;
    }

    private struct AddOp : IEditOp
    {
        public static float Apply(float h, float v) => h + v;
        public static Vector256<float> Apply(Vector256<float> h, Vector256<float> v) => h + v;
        public static Vector512<float> Apply(Vector512<float> h, Vector512<float> v) => h + v;
    }

    private struct ScaleOp : IEditOp
    {
        public static float Apply(float h, float v) => h * v;
        public static Vector256<float> Apply(Vector256<float> h, Vector256<float> v) => h * v;
        public static Vector512<float> Apply(Vector512<float> h, Vector512<float> v) => h * v;
    }

    /// <summary>h + v·s(h), s(h) = +1 if h &gt; 0 else −1.</summary>
    private struct ShiftBySignOp : IEditOp
    {
        public static float Apply(float h, float v) => h > 0f ? h + v : h - v;
        public static Vector256<float> Apply(Vector256<float> h, Vector256<float> v) =>
            h + Vector256.ConditionalSelect(Vector256.GreaterThan(h, Vector256<float>.Zero), v, -v);
        public static Vector512<float> Apply(Vector512<float> h, Vector512<float> v) =>
            h + Vector512.ConditionalSelect(Vector512.GreaterThan(h, Vector512<float>.Zero), v, -v);
    }
}

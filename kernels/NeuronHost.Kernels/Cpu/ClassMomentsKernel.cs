using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>Per-class and overall moments in one pass. Each partition (thread) keeps float64
/// sums of (x − K) and (x − K)² per class slot, K being the first row (a shift that keeps the
/// sums of squares well conditioned); rows labelled -1 go to an extra "no class" slot so the
/// overall moments come from merging all slots. Partials become (n, mean, M2) and are merged
/// with Chan et al.'s pairwise formula. NaN/∞ poisons the sums, so the only per-value cost of
/// the finiteness check is nothing: the sums are checked once at the end and the slow path
/// locates the cell.</summary>
internal static unsafe class ClassMomentsKernel
{
    public readonly record struct Moments(long Count, double Mean, double M2);

    /// <param name="labels">null: every row is "no class" (column statistics only).</param>
    public static ClassMoments Compute(IActivationMatrix x, ReadOnlyMemory<int>? labels, int classCount, int threads, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (classCount < 0) throw new ArgumentException($"class count {classCount} is negative");
        if (labels is { } l) ValidateLabels(l.Span, x.Rows, classCount);
        int d = x.Columns, slots = classCount + 1;

        var shift = new double[d];
        if (x.Rows > 0 && d > 0)
        {
            var first = x.GetBlock(0);
            for (int j = 0; j < d; j++) shift[j] = first.Span[j];
        }

        var parts = new Partial[threads];
        for (int t = 0; t < threads; t++) parts[t] = new Partial(slots, d);

        RowStreaming.Run(x, threads, cancellation, (t, block, start, end) =>
        {
            var part = parts[t];
            var lab = labels is { } ls ? ls.Span : default;
            var data = block.Span;
            fixed (float* px = data)
            fixed (double* pk = shift, ps1 = part.S1, ps2 = part.S2)
            fixed (float* pmin = part.Min, pmax = part.Max)
            {
                int r = start;
                if (FourRows && Vector512.IsHardwareAccelerated && d >= 16)
                {
                    // Four rows at a time: min/max are read and written once per four rows.
                    long* off = stackalloc long[4];
                    for (; r + 4 <= end; r += 4)
                    {
                        for (int q = 0; q < 4; q++)
                        {
                            int label = lab.IsEmpty ? -1 : lab[(int)(block.FirstRow + r + q)];
                            int slot = label < 0 ? classCount : label;
                            part.Counts[slot]++;
                            off[q] = (long)slot * d;
                        }
                        AccumulateRows4(px + (long)r * d, d, pk, ps1, ps2, off, pmin, pmax);
                    }
                }
                for (; r < end; r++)
                {
                    long row = block.FirstRow + r;
                    int label = lab.IsEmpty ? -1 : lab[(int)row];
                    int slot = label < 0 ? classCount : label;
                    part.Counts[slot]++;
                    long offset = (long)slot * d;
                    AccumulateRow(px + (long)r * d, pk, ps1 + offset, ps2 + offset, pmin, pmax, d);
                }
            }
        });

        foreach (var part in parts)
            foreach (var s in part.S1)
                if (!double.IsFinite(s)) throw NonFinite.Locate(x);

        return Merge(parts, shift, classCount, d);
    }

    private static void ValidateLabels(ReadOnlySpan<int> labels, long rows, int classCount)
    {
        if (labels.Length != rows)
            throw new ArgumentException($"{labels.Length} labels for {rows} activation rows");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < -1 || labels[i] >= classCount)
                throw new ArgumentException($"label {labels[i]} at row {i} is outside 0..{classCount - 1} (or -1 for no class)");
    }

    private sealed class Partial(int slots, int d)
    {
        public readonly long[] Counts = new long[slots];
        public readonly double[] S1 = new double[(long)slots * d];
        public readonly double[] S2 = new double[(long)slots * d];
        public readonly float[] Min = Filled(d, float.PositiveInfinity);
        public readonly float[] Max = Filled(d, float.NegativeInfinity);

        private static float[] Filled(int n, float v) { var a = new float[n]; a.AsSpan().Fill(v); return a; }
    }

    /// <summary>Internal switch for A/B timing of the four-row path against row by row.</summary>
    internal static bool FourRows = true;

    /// <summary>Four consecutive rows (row q's class sums at s1/s2 + off[q]); each row still adds
    /// to its class in row order, so the sums are the same as row by row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateRows4(float* x, int d, double* k, double* s1, double* s2, long* off, float* min, float* max)
    {
        float* x1 = x + d, x2 = x + 2L * d, x3 = x + 3L * d;
        double* a0 = s1 + off[0], a1 = s1 + off[1], a2 = s1 + off[2], a3 = s1 + off[3];
        double* b0 = s2 + off[0], b1 = s2 + off[1], b2 = s2 + off[2], b3 = s2 + off[3];
        int j = 0;
        for (; j <= d - 16; j += 16)
        {
            var v0 = Vector512.Load(x + j);
            var v1 = Vector512.Load(x1 + j);
            var v2 = Vector512.Load(x2 + j);
            var v3 = Vector512.Load(x3 + j);
            Vector512.Store(Vector512.MinNative(Vector512.Load(min + j), Vector512.MinNative(Vector512.MinNative(v0, v1), Vector512.MinNative(v2, v3))), min + j);
            Vector512.Store(Vector512.MaxNative(Vector512.Load(max + j), Vector512.MaxNative(Vector512.MaxNative(v0, v1), Vector512.MaxNative(v2, v3))), max + j);
            var klo = Vector512.Load(k + j);
            var khi = Vector512.Load(k + j + 8);
            Add(v0, klo, khi, a0 + j, b0 + j);
            Add(v1, klo, khi, a1 + j, b1 + j);
            Add(v2, klo, khi, a2 + j, b2 + j);
            Add(v3, klo, khi, a3 + j, b3 + j);
        }
        if (j < d)
        {
            AccumulateTail(x + j, k + j, a0 + j, b0 + j, min + j, max + j, d - j);
            AccumulateTail(x1 + j, k + j, a1 + j, b1 + j, min + j, max + j, d - j);
            AccumulateTail(x2 + j, k + j, a2 + j, b2 + j, min + j, max + j, d - j);
            AccumulateTail(x3 + j, k + j, a3 + j, b3 + j, min + j, max + j, d - j);
        }

        static void Add(Vector512<float> v, Vector512<double> klo, Vector512<double> khi, double* s1, double* s2)
        {
            var lo = Vector512.WidenLower(v) - klo;
            var hi = Vector512.WidenUpper(v) - khi;
            Vector512.Store(Vector512.Load(s1) + lo, s1);
            Vector512.Store(Vector512.Load(s1 + 8) + hi, s1 + 8);
            Vector512.Store(Vector512.FusedMultiplyAdd(lo, lo, Vector512.Load(s2)), s2);
            Vector512.Store(Vector512.FusedMultiplyAdd(hi, hi, Vector512.Load(s2 + 8)), s2 + 8);
        }
    }

    private static void AccumulateTail(float* x, double* k, double* s1, double* s2, float* min, float* max, int n)
    {
        for (int j = 0; j < n; j++)
        {
            float v = x[j];
            if (v < min[j]) min[j] = v;
            if (v > max[j]) max[j] = v;
            double e = v - k[j];
            s1[j] += e;
            s2[j] += e * e;
        }
    }

    /// <summary>s1 += x − k, s2 += (x − k)², min/max, over one row of d values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateRow(float* x, double* k, double* s1, double* s2, float* min, float* max, int d)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= d - 16; j += 16)
            {
                var v = Vector512.Load(x + j);
                Vector512.Store(Vector512.MinNative(Vector512.Load(min + j), v), min + j);
                Vector512.Store(Vector512.MaxNative(Vector512.Load(max + j), v), max + j);
                var lo = Vector512.WidenLower(v) - Vector512.Load(k + j);
                var hi = Vector512.WidenUpper(v) - Vector512.Load(k + j + 8);
                Vector512.Store(Vector512.Load(s1 + j) + lo, s1 + j);
                Vector512.Store(Vector512.Load(s1 + j + 8) + hi, s1 + j + 8);
                Vector512.Store(Vector512.FusedMultiplyAdd(lo, lo, Vector512.Load(s2 + j)), s2 + j);
                Vector512.Store(Vector512.FusedMultiplyAdd(hi, hi, Vector512.Load(s2 + j + 8)), s2 + j + 8);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= d - 8; j += 8)
            {
                var v = Vector256.Load(x + j);
                Vector256.Store(Vector256.MinNative(Vector256.Load(min + j), v), min + j);
                Vector256.Store(Vector256.MaxNative(Vector256.Load(max + j), v), max + j);
                var lo = Vector256.WidenLower(v) - Vector256.Load(k + j);
                var hi = Vector256.WidenUpper(v) - Vector256.Load(k + j + 4);
                Vector256.Store(Vector256.Load(s1 + j) + lo, s1 + j);
                Vector256.Store(Vector256.Load(s1 + j + 4) + hi, s1 + j + 4);
                Vector256.Store(Vector256.FusedMultiplyAdd(lo, lo, Vector256.Load(s2 + j)), s2 + j);
                Vector256.Store(Vector256.FusedMultiplyAdd(hi, hi, Vector256.Load(s2 + j + 4)), s2 + j + 4);
            }
        }
        for (; j < d; j++)
        {
            float v = x[j];
            if (v < min[j]) min[j] = v;
            if (v > max[j]) max[j] = v;
            double e = v - k[j];
            s1[j] += e;
            s2[j] += e * e;
        }
    }

    /// <summary>Chan, Golub &amp; LeVeque's pairwise update: exact for the sums it represents.</summary>
    public static Moments Combine(Moments a, Moments b)
    {
        if (a.Count == 0) return b;
        if (b.Count == 0) return a;
        long n = a.Count + b.Count;
        double delta = b.Mean - a.Mean;
        return new Moments(n, a.Mean + delta * b.Count / n, a.M2 + b.M2 + delta * delta * ((double)a.Count * b.Count / n));
    }

    private static ClassMoments Merge(Partial[] parts, double[] shift, int classCount, int d)
    {
        int slots = classCount + 1;
        var counts = new long[classCount];
        var means = new double[(long)classCount * d];
        var variances = new double[(long)classCount * d];
        var overallMean = new double[d];
        var overallVar = new double[d];
        var min = new float[d];
        var max = new float[d];
        for (int j = 0; j < d; j++)
        {
            var overall = default(Moments);
            for (int s = 0; s < slots; s++)
            {
                var m = default(Moments);
                foreach (var part in parts)
                {
                    long n = part.Counts[s];
                    if (n == 0) continue;
                    double s1 = part.S1[(long)s * d + j], s2 = part.S2[(long)s * d + j];
                    m = Combine(m, new Moments(n, shift[j] + s1 / n, Math.Max(0, s2 - s1 * s1 / n)));
                }
                overall = Combine(overall, m);
                if (s < classCount)
                {
                    means[(long)s * d + j] = m.Count > 0 ? m.Mean : double.NaN;
                    variances[(long)s * d + j] = m.Count > 0 ? m.M2 / m.Count : double.NaN;
                }
            }
            overallMean[j] = overall.Count > 0 ? overall.Mean : double.NaN;
            overallVar[j] = overall.Count > 0 ? overall.M2 / overall.Count : double.NaN;
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            foreach (var part in parts) { lo = Math.Min(lo, part.Min[j]); hi = Math.Max(hi, part.Max[j]); }
            min[j] = overall.Count > 0 ? lo : float.NaN;
            max[j] = overall.Count > 0 ? hi : float.NaN;
        }
        for (int s = 0; s < classCount; s++)
            foreach (var part in parts) counts[s] += part.Counts[s];
        return new ClassMoments(classCount, d, counts, means, variances, overallMean, overallVar, min, max);
    }
}

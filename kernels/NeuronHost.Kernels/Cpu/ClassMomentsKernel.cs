using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>Per-class and overall moments in one pass. Each partition (thread) keeps float64
/// sums of (x − K) and (x − K)² per class slot, K being the first row (a shift that keeps the
/// sums of squares well conditioned); rows labelled -1 go to an extra "no class" slot so the
/// overall moments come from merging all slots. Partials become (n, mean, M2) and are merged
/// with Chan et al.'s pairwise formula. A thread's rows are taken in tiles of 1,024, sorted by
/// slot (a counting sort, the only place labels are read), so each slot's rows are added eight
/// at a time in registers (<see cref="AccumulateTile"/>). NaN/∞ poisons the sums, so the only per-value cost of
/// the finiteness check is nothing: the sums are checked once at the end and the slow path
/// locates the cell.</summary>
internal static unsafe class ClassMomentsKernel
{
    public readonly record struct Moments(long Count, double Mean, double M2);

    /// <param name="labels">null: every row is "no class" (column statistics only).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        RowStreaming.Run(x, threads, cancellation, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t, block, start, end) =>
            AccumulateSegment(parts[t], labels is { } ls ? ls.Span : default, block, start, end, shift, classCount));

        foreach (var part in parts)
            foreach (var s in part.S1)
                if (!double.IsFinite(s)) throw NonFinite.Locate(x);

        return Merge(parts, shift, classCount, d);
    }

    /// <summary>Rows [start, end) of one block into a thread's partial sums. Fully optimised on
    /// first call: a plugin worker runs tiered, and this loop would otherwise spend a ranking's
    /// first calls in tier-0 or on-stack-replacement code (docs/plugin-isolation.md).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateSegment(Partial part, ReadOnlySpan<int> lab, ActivationBlock block, int start, int end, double[] shift, int classCount)
    {
        int d = block.Columns, slots = classCount + 1;
        fixed (float* px = block.Span)
        fixed (double* pk = shift, ps1 = part.S1, ps2 = part.S2)
        fixed (float* pmin = part.Min, pmax = part.Max)
        fixed (nint* rows = part.TileRows)
        fixed (int* slotStart = part.SlotStart, rowSlot = part.RowSlot)
        {
            for (int r0 = start; r0 < end; r0 += TileRows)
            {
                int n = Math.Min(end - r0, TileRows);
                // Counting sort of the tile's rows by slot: the label is read once per row,
                // never in the column loops.
                new Span<int>(slotStart, slots + 1).Clear();
                for (int i = 0; i < n; i++)
                {
                    int label = lab.IsEmpty ? -1 : lab[(int)(block.FirstRow + r0 + i)];
                    int slot = label < 0 ? classCount : label;
                    rowSlot[i] = slot;
                    slotStart[slot + 1]++;
                }
                for (int s = 0; s < slots; s++)
                {
                    part.Counts[s] += slotStart[s + 1];
                    slotStart[s + 1] += slotStart[s];
                }
                // rows[] in slot order; slotStart[s] walks to slotStart[s + 1] and is restored below
                for (int i = 0; i < n; i++) rows[slotStart[rowSlot[i]]++] = (nint)(px + (long)(r0 + i) * d);
                for (int s = slots; s > 0; s--) slotStart[s] = slotStart[s - 1];
                slotStart[0] = 0;
                AccumulateTile((float**)rows, slotStart, slots, d, pk, ps1, ps2, pmin, pmax);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        // one tile's rows sorted by slot, the slot of each row, and where each slot's rows start
        public readonly nint[] TileRows = new nint[ClassMomentsKernel.TileRows];
        public readonly int[] RowSlot = new int[ClassMomentsKernel.TileRows];
        public readonly int[] SlotStart = new int[slots + 1];

        private static float[] Filled(int n, float v) { var a = new float[n]; a.AsSpan().Fill(v); return a; }
    }

    /// <summary>Rows per tile: each class should have many rows per tile, so that few are left
    /// over after its groups of eight and four.</summary>
    internal const int TileRows = 1024;

    /// <summary>One tile whose rows are sorted by slot: the rows of a slot go eight (then four)
    /// at a time, each streamed in memory order, their (x − K) and (x − K)² summed in registers
    /// before the slot's float64 sums are read and written — once per eight rows instead of per
    /// row: the 2·(classes + 1)·d sums (884 KiB per thread for 17 classes × 3,072 neurons) do not
    /// fit in L2, and their loads and stores, not the arithmetic, bounded the row-by-row loop.
    /// Within a slot, rows are added in row order, in pairs and fours (a fixed tree), so results
    /// are the same from run to run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateTile(float** rows, int* slotStart, int slots, int d, double* k, double* s1, double* s2, float* min, float* max)
    {
        for (int s = 0; s < slots; s++)
        {
            int i = slotStart[s], e = slotStart[s + 1];
            double* p1 = s1 + (long)s * d, p2 = s2 + (long)s * d;
            if (Vector256.IsHardwareAccelerated)
                for (; i + 8 <= e; i += 8)
                    AccumulateRows8(rows + i, d, k, p1, p2, min, max);
            if (Vector256.IsHardwareAccelerated)
                for (; i + 4 <= e; i += 4)
                    AccumulateRows4(rows[i], rows[i + 1], rows[i + 2], rows[i + 3], d, k, p1, p2, min, max);
            for (; i < e; i++) AccumulateRow(rows[i], k, p1, p2, min, max, d);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateRows4(float* x0, float* x1, float* x2, float* x3, int d, double* k, double* s1, double* s2, float* min, float* max)
    {
        int j = 0;
        for (; j <= d - 8; j += 8)
        {
            var v0 = Vector256.Load(x0 + j);
            var v1 = Vector256.Load(x1 + j);
            var v2 = Vector256.Load(x2 + j);
            var v3 = Vector256.Load(x3 + j);
            Vector256.Store(Vector256.MinNative(Vector256.Load(min + j), Vector256.MinNative(Vector256.MinNative(v0, v1), Vector256.MinNative(v2, v3))), min + j);
            Vector256.Store(Vector256.MaxNative(Vector256.Load(max + j), Vector256.MaxNative(Vector256.MaxNative(v0, v1), Vector256.MaxNative(v2, v3))), max + j);
            var kk = Vector256.Load(k + j);
            var e0 = Vector256.WidenLower(v0) - kk;
            var e1 = Vector256.WidenLower(v1) - kk;
            var e2 = Vector256.WidenLower(v2) - kk;
            var e3 = Vector256.WidenLower(v3) - kk;
            Vector256.Store(Vector256.Load(s1 + j) + ((e0 + e1) + (e2 + e3)), s1 + j);
            Vector256.Store(Vector256.Load(s2 + j) + (Vector256.FusedMultiplyAdd(e0, e0, e1 * e1) + Vector256.FusedMultiplyAdd(e2, e2, e3 * e3)), s2 + j);
            kk = Vector256.Load(k + j + 4);
            e0 = Vector256.WidenUpper(v0) - kk;
            e1 = Vector256.WidenUpper(v1) - kk;
            e2 = Vector256.WidenUpper(v2) - kk;
            e3 = Vector256.WidenUpper(v3) - kk;
            Vector256.Store(Vector256.Load(s1 + j + 4) + ((e0 + e1) + (e2 + e3)), s1 + j + 4);
            Vector256.Store(Vector256.Load(s2 + j + 4) + (Vector256.FusedMultiplyAdd(e0, e0, e1 * e1) + Vector256.FusedMultiplyAdd(e2, e2, e3 * e3)), s2 + j + 4);
        }
        if (j < d)
        {
            AccumulateTail(x0 + j, k + j, s1 + j, s2 + j, min + j, max + j, d - j);
            AccumulateTail(x1 + j, k + j, s1 + j, s2 + j, min + j, max + j, d - j);
            AccumulateTail(x2 + j, k + j, s1 + j, s2 + j, min + j, max + j, d - j);
            AccumulateTail(x3 + j, k + j, s1 + j, s2 + j, min + j, max + j, d - j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateRows8(float** x, int d, double* k, double* s1, double* s2, float* min, float* max)
    {
        float* x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7];
        int j = 0;
        for (; j <= d - 8; j += 8)
            Columns8(x0 + j, x1 + j, x2 + j, x3 + j, x4 + j, x5 + j, x6 + j, x7 + j, k + j, s1 + j, s2 + j, min + j, max + j);
        for (int q = 0; q < 8 && j < d; q++)
            AccumulateTail(x[q] + j, k + j, s1 + j, s2 + j, min + j, max + j, d - j);
    }

    /// <summary>Eight rows × eight columns: min/max, then Σ(x − K) and Σ(x − K)² of the eight
    /// rows added to the slot's sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns8(float* x0, float* x1, float* x2, float* x3, float* x4, float* x5, float* x6, float* x7, double* k, double* s1, double* s2, float* min, float* max)
    {
        var v0 = Vector256.Load(x0);
        var v1 = Vector256.Load(x1);
        var v2 = Vector256.Load(x2);
        var v3 = Vector256.Load(x3);
        var v4 = Vector256.Load(x4);
        var v5 = Vector256.Load(x5);
        var v6 = Vector256.Load(x6);
        var v7 = Vector256.Load(x7);
        var lo = Vector256.MinNative(Vector256.MinNative(Vector256.MinNative(v0, v1), Vector256.MinNative(v2, v3)), Vector256.MinNative(Vector256.MinNative(v4, v5), Vector256.MinNative(v6, v7)));
        var hi = Vector256.MaxNative(Vector256.MaxNative(Vector256.MaxNative(v0, v1), Vector256.MaxNative(v2, v3)), Vector256.MaxNative(Vector256.MaxNative(v4, v5), Vector256.MaxNative(v6, v7)));
        Vector256.Store(Vector256.MinNative(Vector256.Load(min), lo), min);
        Vector256.Store(Vector256.MaxNative(Vector256.Load(max), hi), max);
        var kk = Vector256.Load(k);
        var e0 = Vector256.WidenLower(v0) - kk;
        var e1 = Vector256.WidenLower(v1) - kk;
        var e2 = Vector256.WidenLower(v2) - kk;
        var e3 = Vector256.WidenLower(v3) - kk;
        var sum = (e0 + e1) + (e2 + e3);
        var sq = Vector256.FusedMultiplyAdd(e0, e0, e1 * e1) + Vector256.FusedMultiplyAdd(e2, e2, e3 * e3);
        e0 = Vector256.WidenLower(v4) - kk;
        e1 = Vector256.WidenLower(v5) - kk;
        e2 = Vector256.WidenLower(v6) - kk;
        e3 = Vector256.WidenLower(v7) - kk;
        Vector256.Store(Vector256.Load(s1) + (sum + ((e0 + e1) + (e2 + e3))), s1);
        Vector256.Store(Vector256.Load(s2) + (sq + (Vector256.FusedMultiplyAdd(e0, e0, e1 * e1) + Vector256.FusedMultiplyAdd(e2, e2, e3 * e3))), s2);
        kk = Vector256.Load(k + 4);
        e0 = Vector256.WidenUpper(v0) - kk;
        e1 = Vector256.WidenUpper(v1) - kk;
        e2 = Vector256.WidenUpper(v2) - kk;
        e3 = Vector256.WidenUpper(v3) - kk;
        sum = (e0 + e1) + (e2 + e3);
        sq = Vector256.FusedMultiplyAdd(e0, e0, e1 * e1) + Vector256.FusedMultiplyAdd(e2, e2, e3 * e3);
        e0 = Vector256.WidenUpper(v4) - kk;
        e1 = Vector256.WidenUpper(v5) - kk;
        e2 = Vector256.WidenUpper(v6) - kk;
        e3 = Vector256.WidenUpper(v7) - kk;
        Vector256.Store(Vector256.Load(s1 + 4) + (sum + ((e0 + e1) + (e2 + e3))), s1 + 4);
        Vector256.Store(Vector256.Load(s2 + 4) + (sq + (Vector256.FusedMultiplyAdd(e0, e0, e1 * e1) + Vector256.FusedMultiplyAdd(e2, e2, e3 * e3))), s2 + 4);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

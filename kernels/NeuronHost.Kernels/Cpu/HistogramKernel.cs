using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>Per-neuron histograms in two passes: min/max (with the finiteness check), then
/// counts in equal bins. Bin of x: floor((x − min) · (bins / (max − min))) in float64, the top
/// edge going to the last bin; a constant neuron puts everything in bin 0.</summary>
internal static unsafe class HistogramKernel
{
    public static NeuronHistograms Compute(IActivationMatrix x, int bins, int threads, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (bins < 1) throw new ArgumentException($"histograms need at least one bin, not {bins}");
        int d = x.Columns;
        var mins = new float[threads][];
        var maxs = new float[threads][];
        for (int t = 0; t < threads; t++)
        {
            mins[t] = new float[d]; mins[t].AsSpan().Fill(float.PositiveInfinity);
            maxs[t] = new float[d]; maxs[t].AsSpan().Fill(float.NegativeInfinity);
        }
        RowStreaming.Run(x, threads, cancellation, (t, block, start, end) =>
        {
            fixed (float* px = block.Span, pmin = mins[t], pmax = maxs[t])
            {
                var poison = Vector256<float>.Zero;
                int r = start;
                if (Vector512.IsHardwareAccelerated)
                {
                    // Four rows at a time: min/max are read and written once per four rows.
                    var poison512 = Vector512<float>.Zero;
                    for (; r + 4 <= end; r += 4)
                    {
                        float* x0 = px + (long)r * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d;
                        int j = 0;
                        for (; j <= d - 16; j += 16)
                        {
                            var v0 = Vector512.Load(x0 + j); var v1 = Vector512.Load(x1 + j);
                            var v2 = Vector512.Load(x2 + j); var v3 = Vector512.Load(x3 + j);
                            var lo = Vector512.MinNative(Vector512.MinNative(v0, v1), Vector512.MinNative(v2, v3));
                            var hi = Vector512.MaxNative(Vector512.MaxNative(v0, v1), Vector512.MaxNative(v2, v3));
                            // x·0 is NaN exactly for NaN/±∞ (a sum could overflow; min/max may drop NaN).
                            poison512 = Vector512.FusedMultiplyAdd(v0, Vector512<float>.Zero, poison512);
                            poison512 = Vector512.FusedMultiplyAdd(v1, Vector512<float>.Zero, poison512);
                            poison512 = Vector512.FusedMultiplyAdd(v2, Vector512<float>.Zero, poison512);
                            poison512 = Vector512.FusedMultiplyAdd(v3, Vector512<float>.Zero, poison512);
                            Vector512.Store(Vector512.MinNative(Vector512.Load(pmin + j), lo), pmin + j);
                            Vector512.Store(Vector512.MaxNative(Vector512.Load(pmax + j), hi), pmax + j);
                        }
                        for (int q = 0; q < 4; q++)
                        {
                            float* row = x0 + (long)q * d;
                            for (int jj = j; jj < d; jj++)
                            {
                                float v = row[jj];
                                if (!float.IsFinite(v)) poison = Vector256.Create(float.NaN);
                                if (v < pmin[jj]) pmin[jj] = v;
                                if (v > pmax[jj]) pmax[jj] = v;
                            }
                        }
                    }
                    if (!Vector512.EqualsAll(poison512, poison512)) poison = Vector256.Create(float.NaN);
                }
                for (; r < end; r++)
                {
                    float* row = px + (long)r * d;
                    int j = 0;
                    for (; j <= d - 8; j += 8)
                    {
                        var v = Vector256.Load(row + j);
                        poison = Vector256.FusedMultiplyAdd(v, Vector256<float>.Zero, poison);
                        Vector256.Store(Vector256.MinNative(Vector256.Load(pmin + j), v), pmin + j);
                        Vector256.Store(Vector256.MaxNative(Vector256.Load(pmax + j), v), pmax + j);
                    }
                    for (; j < d; j++)
                    {
                        float v = row[j];
                        if (!float.IsFinite(v)) poison = Vector256.Create(float.NaN);
                        if (v < pmin[j]) pmin[j] = v;
                        if (v > pmax[j]) pmax[j] = v;
                    }
                }
                if (!Vector256.EqualsAll(poison, poison)) throw NonFinite.Locate(x);
            }
        });

        var min = new float[d];
        var max = new float[d];
        var scale = new double[d];
        for (int j = 0; j < d; j++)
        {
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            for (int t = 0; t < threads; t++) { lo = Math.Min(lo, mins[t][j]); hi = Math.Max(hi, maxs[t][j]); }
            if (x.Rows == 0) { lo = hi = float.NaN; }
            min[j] = lo; max[j] = hi;
            scale[j] = hi > lo ? bins / ((double)hi - lo) : 0;
        }

        // Per-thread 32-bit counts (half the cache footprint of 64-bit ones: the increments are
        // scattered over d·bins cells), folded into the 64-bit total before they could overflow.
        // (Walking the rows by column tiles to keep the counts in L1 was measured slower: the
        // strided reads cost more than the count misses; the binning arithmetic is what costs.)
        var total = new long[(long)d * bins];
        var counts = new uint[threads][];
        var cells = new int[threads][];
        var pending = new long[threads];
        for (int t = 0; t < threads; t++) { counts[t] = new uint[(long)d * bins]; cells[t] = new int[d]; }
        if (x.Rows > 0)
        {
            RowStreaming.Run(x, threads, cancellation, (t, block, start, end) =>
            {
                if (pending[t] + (end - start) > uint.MaxValue) { Fold(counts[t], total); pending[t] = 0; }
                pending[t] += end - start;
                fixed (float* px = block.Span, pmin = min)
                fixed (double* ps = scale)
                fixed (uint* pc = counts[t])
                fixed (int* cell = cells[t])
                {
                    for (int r = start; r < end; r++)
                    {
                        // Flat cell index j·bins + bin for the whole row (SIMD), then the increments.
                        CellsOfRow(px + (long)r * d, pmin, ps, cell, d, bins);
                        for (int j = 0; j < d; j++) pc[cell[j]]++;
                    }
                }
            });
        }
        for (int t = 0; t < threads; t++) Fold(counts[t], total);
        return new NeuronHistograms(bins, d, min, max, total);
    }

    /// <summary>total += partial; partial ← 0. Locked: with more than 4G rows per thread, two
    /// threads may fold mid-stream at the same time.</summary>
    private static void Fold(uint[] partial, long[] total)
    {
        lock (total)
            for (long i = 0; i < total.LongLength; i++) total[i] += partial[i];
        Array.Clear(partial);
    }

    private static void CellsOfRow(float* row, float* min, double* scale, int* cell, int d, int bins)
    {
        int j = 0;
        if (Avx512F.IsSupported)
        {
            var top = Vector256.Create(bins - 1);
            var lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * bins;
            for (; j <= d - 8; j += 8)
            {
                var v = Avx512F.ConvertToVector512Double(Vector256.Load(row + j)) - Avx512F.ConvertToVector512Double(Vector256.Load(min + j));
                var b = Avx512F.ConvertToVector256Int32WithTruncation(v * Vector512.Load(scale + j));   // ≥ 0: truncation is floor
                Vector256.Store(Vector256.Min(b, top) + lane + Vector256.Create(j * bins), cell + j);
            }
        }
        else if (Avx2.IsSupported)
        {
            // The scalar formula four columns at a time: float→double, subtract, multiply, truncate (exact same IEEE steps).
            var top = Vector128.Create(bins - 1);
            var lane = Vector128.Create(0, 1, 2, 3) * bins;
            for (; j <= d - 4; j += 4)
            {
                var v = Avx.ConvertToVector256Double(Vector128.Load(row + j)) - Avx.ConvertToVector256Double(Vector128.Load(min + j));
                var b = Avx.ConvertToVector128Int32WithTruncation(v * Vector256.Load(scale + j));   // ≥ 0: truncation is floor
                Vector128.Store(Vector128.Min(b, top) + lane + Vector128.Create(j * bins), cell + j);
            }
        }
        for (; j < d; j++)
        {
            int b = (int)((row[j] - (double)min[j]) * scale[j]);
            cell[j] = j * bins + (b >= bins ? bins - 1 : b);
        }
    }
}

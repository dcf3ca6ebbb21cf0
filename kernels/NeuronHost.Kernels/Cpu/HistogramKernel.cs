using System.Runtime.CompilerServices;
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
        var (min, max) = Ranges(x, threads, cancellation);
        var scale = new double[d];
        for (int j = 0; j < d; j++) scale[j] = max[j] > min[j] ? bins / ((double)max[j] - min[j]) : 0;

        // Per-thread 16-bit counts, folded into the 64-bit total before they could overflow.
        var total = new long[(long)d * bins];
        var counts = new ushort[threads][];
        var pending = new long[threads];
        // Each thread's scratch: 32 rows' bins as bytes, or (more than 256 bins) one row's cells.
        bool byTiles = bins <= ByteBins;
        var binBytes = new byte[threads][];
        var cells = new int[threads][];
        for (int t = 0; t < threads; t++)
        {
            counts[t] = new ushort[(long)d * bins];
            if (byTiles) binBytes[t] = new byte[ChunkRows * d];
            else cells[t] = new int[d];
        }
        if (x.Rows > 0)
        {
            RowStreaming.Run(x, threads, cancellation, (t, block, start, end) =>
            {
                for (int r = start; r < end;)
                {
                    // A run of rows that cannot take any 16-bit count past its maximum.
                    if (pending[t] == ushort.MaxValue) { Fold(counts[t], total); pending[t] = 0; }
                    int n = (int)Math.Min(end - r, ushort.MaxValue - pending[t]);
                    if (byTiles) CountRowsByTiles(block, r, r + n, min, scale, counts[t], binBytes[t], bins);
                    else CountRows(block, r, r + n, min, scale, counts[t], cells[t], bins);
                    pending[t] += n;
                    r += n;
                }
            });
        }
        for (int t = 0; t < threads; t++) Fold(counts[t], total);
        return new NeuronHistograms(bins, d, min, max, total);
    }

    /// <summary>Pass 1: every neuron's min and max (NaN for both when there are no rows); throws on
    /// a non-finite value. The benchmarks time it alone: what is left of a histogram run is pass 2, the counting.</summary>
    internal static (float[] Min, float[] Max) Ranges(IActivationMatrix x, int threads, CancellationToken cancellation)
    {
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
            if (!MinMaxOfRows(block, start, end, mins[t], maxs[t])) throw NonFinite.Locate(x);
        });
        var min = new float[d];
        var max = new float[d];
        for (int j = 0; j < d; j++)
        {
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            for (int t = 0; t < threads; t++) { lo = Math.Min(lo, mins[t][j]); hi = Math.Max(hi, maxs[t][j]); }
            if (x.Rows == 0) { lo = hi = float.NaN; }
            min[j] = lo; max[j] = hi;
        }
        return (min, max);
    }

    /// <summary>total += partial; partial ← 0. Locked: two threads may fold mid-stream at the
    /// same time.</summary>
    private static void Fold(ushort[] partial, long[] total)
    {
        lock (total)
            for (long i = 0; i < total.LongLength; i++) total[i] += partial[i];
        Array.Clear(partial);
    }

    /// <summary>Pass 1 over rows [start, end): per-neuron min and max, four rows per step so the
    /// running min/max are loaded and stored once per four rows. False if a value is NaN or ±∞
    /// (|x| &lt; ∞ fails for both; OR-ed into a flag, not carried through arithmetic).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool MinMaxOfRows(ActivationBlock block, int start, int end, float[] mins, float[] maxs)
    {
        int d = block.Columns;
        var infinity = Vector256.Create(float.PositiveInfinity);
        var notFinite = Vector256<float>.Zero;
        bool finite = true;
        fixed (float* px = block.Span, pmin = mins, pmax = maxs)
        {
            int r = start;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; r + 4 <= end; r += 4)
                {
                    float* x0 = px + (long)r * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d;
                    int j = 0;
                    for (; j <= d - 8; j += 8)
                    {
                        var v0 = Vector256.Load(x0 + j); var v1 = Vector256.Load(x1 + j);
                        var v2 = Vector256.Load(x2 + j); var v3 = Vector256.Load(x3 + j);
                        notFinite |= ~(Vector256.LessThan(Vector256.Abs(v0), infinity) & Vector256.LessThan(Vector256.Abs(v1), infinity)
                                       & Vector256.LessThan(Vector256.Abs(v2), infinity) & Vector256.LessThan(Vector256.Abs(v3), infinity));
                        var lo = Vector256.MinNative(Vector256.MinNative(v0, v1), Vector256.MinNative(v2, v3));
                        var hi = Vector256.MaxNative(Vector256.MaxNative(v0, v1), Vector256.MaxNative(v2, v3));
                        Vector256.Store(Vector256.MinNative(Vector256.Load(pmin + j), lo), pmin + j);
                        Vector256.Store(Vector256.MaxNative(Vector256.Load(pmax + j), hi), pmax + j);
                    }
                    for (int q = 0; q < 4; q++) finite &= MinMaxScalar(x0 + (long)q * d, pmin, pmax, j, d);
                }
            }
            for (; r < end; r++) finite &= MinMaxScalar(px + (long)r * d, pmin, pmax, 0, d);
        }
        return finite && notFinite.ExtractMostSignificantBits() == 0;
    }

    private static bool MinMaxScalar(float* row, float* min, float* max, int from, int d)
    {
        bool finite = true;
        for (int j = from; j < d; j++)
        {
            float v = row[j];
            if (!float.IsFinite(v)) finite = false;
            if (v < min[j]) min[j] = v;
            if (v > max[j]) max[j] = v;
        }
        return finite;
    }

    private const int ByteBins = 256, ChunkRows = 32, TileColumns = 128;

    /// <summary>Pass 2 over rows [start, end) for up to 256 bins: 32 rows' bins as bytes (SIMD),
    /// then counted 128 neurons at a time, so the counts being incremented (128 × bins × 2 bytes,
    /// 16 KiB at 64 bins) stay in L1. A row at a time, each increment of a row touched another
    /// neuron's counts (384 KiB at 3,072 × 64): an L1 miss per value, and the increments' stores
    /// waited on them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountRowsByTiles(ActivationBlock block, int start, int end, float[] min, double[] scale, ushort[] counts, byte[] binBytes, int bins)
    {
        int d = block.Columns;
        fixed (float* px = block.Span, pmin = min)
        fixed (double* ps = scale)
        fixed (ushort* pc = counts)
        fixed (byte* pb = binBytes)
        {
            for (int r0 = start; r0 < end; r0 += ChunkRows)
            {
                int n = Math.Min(ChunkRows, end - r0);
                for (int i = 0; i < n; i++) BinsOfRow(px + (long)(r0 + i) * d, pmin, ps, pb + (long)i * d, d, bins);
                for (int c0 = 0; c0 < d; c0 += TileColumns)
                {
                    int width = Math.Min(TileColumns, d - c0);
                    ushort* tile = pc + (long)c0 * bins;
                    for (int i = 0; i < n; i++)
                    {
                        byte* b = pb + (long)i * d + c0;
                        for (int j = 0; j < width; j++) tile[j * bins + b[j]]++;
                    }
                }
            }
        }
    }

    /// <summary>Each value's bin as a byte: floor((x − min) · scale) in float64, capped at the
    /// last bin — the same IEEE steps as the scalar formula, four neurons per conversion.</summary>
    private static void BinsOfRow(float* row, float* min, double* scale, byte* bin, int d, int bins)
    {
        int j = 0;
        if (Avx2.IsSupported)
        {
            var top = Vector128.Create(bins - 1);
            for (; j <= d - 16; j += 16)
            {
                var b0 = Vector128.Min(Bins4(row + j, min + j, scale + j), top);
                var b1 = Vector128.Min(Bins4(row + j + 4, min + j + 4, scale + j + 4), top);
                var b2 = Vector128.Min(Bins4(row + j + 8, min + j + 8, scale + j + 8), top);
                var b3 = Vector128.Min(Bins4(row + j + 12, min + j + 12, scale + j + 12), top);
                // 0..255 in every lane, so narrowing keeps the value
                Vector128.Store(Vector128.Narrow(Vector128.Narrow(b0.AsUInt32(), b1.AsUInt32()), Vector128.Narrow(b2.AsUInt32(), b3.AsUInt32())), bin + j);
            }
        }
        for (; j < d; j++)
        {
            int b = (int)((row[j] - (double)min[j]) * scale[j]);
            bin[j] = (byte)(b >= bins ? bins - 1 : b);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Bins4(float* x, float* min, double* scale) =>
        Avx.ConvertToVector128Int32WithTruncation((Avx.ConvertToVector256Double(Vector128.Load(x)) - Avx.ConvertToVector256Double(Vector128.Load(min))) * Vector256.Load(scale));   // ≥ 0: truncation is floor

    /// <summary>Pass 2 over rows [start, end): each value's cell j·bins + bin (SIMD, a row at a
    /// time), then the increments.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountRows(ActivationBlock block, int start, int end, float[] min, double[] scale, ushort[] counts, int[] cells, int bins)
    {
        int d = block.Columns;
        fixed (float* px = block.Span, pmin = min)
        fixed (double* ps = scale)
        fixed (ushort* pc = counts)
        fixed (int* cell = cells)
        {
            for (int r = start; r < end; r++)
            {
                CellsOfRow(px + (long)r * d, pmin, ps, cell, d, bins);
                for (int j = 0; j < d; j++) pc[cell[j]]++;
            }
        }
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

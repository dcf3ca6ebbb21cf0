using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuronHost.Kernels.Blas;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>Pearson correlation between the columns of two matrices on the same rows. Pass 1:
/// float64 column means and M2 (the class-moments kernel with no classes). Pass 2: rows are
/// standardised in float64, z = (x − μ)/√M2 (0 for a constant column), rounded to float and
/// staged in row panels; ρ = Σ_rows z_aᵀ z_b accumulates panel by panel with SGEMM (β = 1).
/// MaxAbsCorrelation cuts b's columns into tiles so that only [D1, tile] is ever held.</summary>
internal static unsafe class CorrelationKernel
{
    /// <summary>Sizes of the working buffers (values): the largest correlation block held at
    /// once (default 16M floats = 64 MB) and the staging panel per matrix (default 4M floats).
    /// Small values in tests force many tiles and panels.</summary>
    public readonly record struct Buffers(long TileValues = 1L << 24, long PanelValues = 1L << 22)
    {
        public static readonly Buffers Default = new(1L << 24, 1L << 22);
    }

    private sealed record Standardizer(double[] Mean, double[] Scale);

    public static float[] Correlation(IActivationMatrix a, IActivationMatrix b, int threads, Buffers buffers, CancellationToken cancellation)
    {
        CheckShapes(a, b);
        var sa = Stats(a, threads, cancellation);
        var sb = Stats(b, threads, cancellation);
        var result = new float[(long)a.Columns * b.Columns];
        AccumulateTile(a, b, sa, sb, 0, b.Columns, result, threads, buffers.PanelValues, cancellation);
        // Rounding can put |ρ| a hair above 1.
        for (long i = 0; i < result.LongLength; i++) result[i] = Math.Clamp(result[i], -1f, 1f);
        return result;
    }

    public static double[] MaxAbsCorrelation(IActivationMatrix a, IActivationMatrix b, int threads, Buffers buffers, CancellationToken cancellation)
    {
        CheckShapes(a, b);
        int d1 = a.Columns, d2 = b.Columns;
        var sa = Stats(a, threads, cancellation);
        var sb = Stats(b, threads, cancellation);
        var best = new double[d1];
        if (d1 == 0 || d2 == 0) return best;
        int tile = (int)Math.Min(Math.Max(buffers.TileValues / d1, 1), d2);
        var c = new float[(long)d1 * tile];
        for (int start = 0; start < d2; start += tile)
        {
            int width = Math.Min(tile, d2 - start);
            Array.Clear(c);
            AccumulateTile(a, b, sa, sb, start, width, c, threads, buffers.PanelValues, cancellation);
            for (int i = 0; i < d1; i++)
            {
                float m = 0;
                var row = c.AsSpan(i * width, width);
                for (int j = 0; j < row.Length; j++) m = Math.Max(m, Math.Abs(row[j]));
                best[i] = Math.Max(best[i], Math.Min(m, 1f));
            }
        }
        return best;
    }

    private static void CheckShapes(IActivationMatrix a, IActivationMatrix b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rows != b.Rows)
            throw new ArgumentException($"correlation needs the same rows (tokens): the first matrix has {a.Rows}, the second {b.Rows}");
    }

    private static Standardizer Stats(IActivationMatrix x, int threads, CancellationToken cancellation)
    {
        var m = ClassMomentsKernel.Compute(x, null, 0, threads, cancellation);
        var scale = new double[x.Columns];
        for (int j = 0; j < scale.Length; j++)
        {
            double m2 = m.OverallVariance[j] * x.Rows;
            scale[j] = m2 > 0 ? 1 / Math.Sqrt(m2) : 0;
        }
        return new Standardizer(m.OverallMean, scale);
    }

    /// <summary>c[D1, width] += Σ over rows of z_a[row, :]ᵀ z_b[row, start..start+width).</summary>
    private static void AccumulateTile(IActivationMatrix a, IActivationMatrix b, Standardizer sa, Standardizer sb,
        int start, int width, float[] c, int threads, long panelValues, CancellationToken cancellation)
    {
        int d1 = a.Columns;
        long rows = a.Rows;
        if (rows == 0 || d1 == 0 || width == 0) return;
        int panelRows = (int)Math.Min(Math.Max(panelValues / Math.Max(d1, width), 1), rows);
        var za = new float[(long)panelRows * d1];
        var zb = new float[(long)panelRows * width];
        var ra = new RowReader(a);
        var rb = new RowReader(b);
        float beta = 0;
        for (long done = 0; done < rows; done += panelRows)
        {
            cancellation.ThrowIfCancellationRequested();
            int n = (int)Math.Min(panelRows, rows - done);
            ra.Read(n, za, 0, d1, sa, threads);
            rb.Read(n, zb, start, width, sb, threads);
            Gemm.Sgemm(true, false, d1, width, n, 1f, za, d1, zb, width, beta, c, width);
            beta = 1;
        }
    }

    /// <summary>Reads the next rows of a matrix in order, across its blocks, standardising the
    /// columns [start, start+width) into a dense panel.</summary>
    private sealed class RowReader(IActivationMatrix x)
    {
        private int blockIndex = -1;
        private ActivationBlock block;
        private int rowInBlock;

        public void Read(int count, float[] panel, int start, int width, Standardizer s, int threads)
        {
            var segments = new List<(ActivationBlock Block, int Row, int Count, int PanelRow)>();
            int filled = 0;
            while (filled < count)
            {
                if (blockIndex < 0 || rowInBlock >= block.Rows)
                {
                    block = x.GetBlock(++blockIndex);
                    rowInBlock = 0;
                    continue;
                }
                int n = Math.Min(count - filled, block.Rows - rowInBlock);
                segments.Add((block, rowInBlock, n, filled));
                rowInBlock += n;
                filled += n;
            }
            int parts = Math.Min(threads, count);
            RowStreaming.ParallelFor(parts, default, t =>
            {
                int lo = (int)((long)count * t / parts), hi = (int)((long)count * (t + 1) / parts);
                fixed (double* pm = s.Mean, ps = s.Scale)
                fixed (float* pz = panel)
                {
                    foreach (var seg in segments)
                    {
                        int from = Math.Max(lo, seg.PanelRow), to = Math.Min(hi, seg.PanelRow + seg.Count);
                        if (from >= to) continue;
                        fixed (float* px = seg.Block.Span)
                        {
                            for (int p = from; p < to; p++)
                            {
                                float* src = px + (long)(seg.Row + p - seg.PanelRow) * x.Columns + start;
                                StandardizeRow(src, pm + start, ps + start, pz + (long)p * width, width);
                            }
                        }
                    }
                }
            });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StandardizeRow(float* x, double* mean, double* scale, float* z, int n)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= n - 16; j += 16)
            {
                var v = Vector512.Load(x + j);
                var lo = (Vector512.WidenLower(v) - Vector512.Load(mean + j)) * Vector512.Load(scale + j);
                var hi = (Vector512.WidenUpper(v) - Vector512.Load(mean + j + 8)) * Vector512.Load(scale + j + 8);
                Vector512.Store(Vector512.Narrow(lo, hi), z + j);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= n - 8; j += 8)
            {
                var v = Vector256.Load(x + j);
                var lo = (Vector256.WidenLower(v) - Vector256.Load(mean + j)) * Vector256.Load(scale + j);
                var hi = (Vector256.WidenUpper(v) - Vector256.Load(mean + j + 4)) * Vector256.Load(scale + j + 4);
                Vector256.Store(Vector256.Narrow(lo, hi), z + j);
            }
        }
        for (; j < n; j++) z[j] = (float)((x[j] - mean[j]) * scale[j]);
    }
}

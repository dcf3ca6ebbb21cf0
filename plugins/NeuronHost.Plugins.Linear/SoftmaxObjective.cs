using System.Numerics.Tensors;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>The data and penalty of one training problem (standardised x [rows, features],
/// labels, options): logits, the smooth part (mean cross-entropy, optionally + L2Squared‖W‖²),
/// its gradient, the penalty and its prox. Reductions go chunk by chunk into fixed slots and are
/// summed in order, so results do not depend on thread scheduling.</summary>
internal sealed class SoftmaxObjective(float[] x, int rows, int features, int classes, int[] y, int valid,
    ElasticNetOptions options, IComputeKernels kernels)
{
    public int Rows => rows;
    public int Features => features;
    public int Classes => classes;
    public ElasticNetOptions Options => options;
    /// <summary>Multiply-adds of one X·W (or Xᵀ·R) product, for FLOP/s figures.</summary>
    public double GemmFlops => 2.0 * rows * features * classes;
    /// <summary>X·W and Xᵀ·R products done so far.</summary>
    public int GemmCount { get; private set; }

    private readonly double[] _partial = new double[(rows + ChunkRows - 1) / ChunkRows];
    private readonly double[] _biasPartial = new double[(rows + ChunkRows - 1) / ChunkRows * classes];

    public void Logits(ReadOnlySpan<float> w, ReadOnlySpan<float> b, float[] z)
    {
        kernels.Sgemm(false, false, rows, classes, features, 1f, x, features, w, classes, 0f, z, classes);
        GemmCount++;
        var bias = b.ToArray();
        Parallel.For(0, Chunks(), ch =>
        {
            var (lo, hi) = Range(ch);
            for (int i = lo; i < hi; i++) TensorPrimitives.Add(z.AsSpan(i * classes, classes), bias, z.AsSpan(i * classes, classes));
        });
    }

    /// <summary>Mean cross-entropy (+ squared L2); when resid is given, fills (P − Y)/N.</summary>
    public double SmoothValue(float[] z, ReadOnlySpan<float> w, float[]? resid)
    {
        float invN = 1f / Math.Max(valid, 1);
        var partial = _partial;
        Parallel.For(0, Chunks(), ch =>
        {
            var (lo, hi) = Range(ch);
            Span<float> e = stackalloc float[classes];
            double acc = 0;
            for (int i = lo; i < hi; i++)
            {
                var zi = z.AsSpan(i * classes, classes);
                if (y[i] < 0) { if (resid is not null) resid.AsSpan(i * classes, classes).Clear(); continue; }
                float max = TensorPrimitives.Max(zi);
                TensorPrimitives.Subtract(zi, max, e);
                TensorPrimitives.Exp(e, e);
                float s = TensorPrimitives.Sum(e);
                acc += Math.Log(s) + max - zi[y[i]];
                if (resid is not null)
                {
                    var r = resid.AsSpan(i * classes, classes);
                    TensorPrimitives.Multiply(e, invN / s, r);
                    r[y[i]] -= invN;
                    for (int c = 0; c < classes; c++) if (MathF.Abs(r[c]) < 1e-30f) r[c] = 0;   // no subnormals into the GEMM
                }
            }
            partial[ch] = acc;
        });
        double total = 0;
        foreach (var v in partial) total += v;
        double value = total / Math.Max(valid, 1);
        if (options.L2Squared > 0) value += options.L2Squared * TensorPrimitives.SumOfSquares(w);
        return value;
    }

    /// <summary>Mean cross-entropy (+ squared L2) at (w, b) and its gradient, in one pass over X:
    /// block by block of rows, logits X_b·W, softmax, residual R_b = (P − Y)/N, and gw += X_bᵀ·R_b
    /// while X_b is still in cache — X is read from memory once instead of twice.</summary>
    public double ValueAndGradient(ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> gw, Span<float> gb)
    {
        int block = Math.Max(64, Math.Min(rows, BlockBytes / (4 * Math.Max(features, 1))));
        _block ??= new float[block * classes];
        var zb = _block.AsSpan(0, block * classes);
        float invN = 1f / Math.Max(valid, 1);
        double total = 0;
        var sums = new double[classes];
        gw.Clear();
        Span<float> e = stackalloc float[classes];
        for (int lo = 0; lo < rows; lo += block)
        {
            int m = Math.Min(block, rows - lo);
            var xb = x.AsSpan(lo * features, m * features);
            var z = zb[..(m * classes)];
            kernels.Sgemm(false, false, m, classes, features, 1f, xb, features, w, classes, 0f, z, classes);
            for (int i = 0; i < m; i++)
            {
                var zi = z.Slice(i * classes, classes);
                int label = y[lo + i];
                if (label < 0) { zi.Clear(); continue; }
                TensorPrimitives.Add(zi, b, zi);
                float max = TensorPrimitives.Max(zi);
                TensorPrimitives.Subtract(zi, max, e);
                TensorPrimitives.Exp(e, e);
                float sum = TensorPrimitives.Sum(e);
                total += Math.Log(sum) + max - zi[label];
                TensorPrimitives.Multiply(e, invN / sum, zi);
                zi[label] -= invN;
                for (int c = 0; c < classes; c++)
                {
                    // flush subnormal residuals (confidently wrong classes): they would make the
                    // Xᵀ·R GEMM crawl and contribute nothing
                    if (MathF.Abs(zi[c]) < 1e-30f) zi[c] = 0;
                    sums[c] += zi[c];
                }
            }
            kernels.Sgemm(true, false, features, classes, m, 1f, xb, features, z, classes, 1f, gw, classes);
        }
        GemmCount += 2;
        for (int c = 0; c < classes; c++) gb[c] = (float)sums[c];
        double value = total / Math.Max(valid, 1);
        if (options.L2Squared > 0)
        {
            value += options.L2Squared * TensorPrimitives.SumOfSquares(w);
            TensorPrimitives.MultiplyAdd(w, (float)(2 * options.L2Squared), gw, gw);
        }
        return value;
    }

    private const int BlockBytes = 4 << 20;   // 1,024 rows of 1,024 neurons: measured best of 256–2,048
    private float[]? _block;

    /// <summary>Gradient of the smooth part from the residual: gw = Xᵀ·R (+ 2·L2Squared·W), gb = Σ rows of R.</summary>
    public void Gradient(float[] resid, ReadOnlySpan<float> w, Span<float> gw, Span<float> gb)
    {
        kernels.Sgemm(true, false, features, classes, rows, 1f, x, features, resid, classes, 0f, gw, classes);
        GemmCount++;
        if (options.L2Squared > 0) TensorPrimitives.MultiplyAdd(w, (float)(2 * options.L2Squared), gw, gw);
        var partial = _biasPartial;
        Parallel.For(0, Chunks(), ch =>
        {
            var (lo, hi) = Range(ch);
            var sums = partial.AsSpan(ch * classes, classes);
            sums.Clear();
            for (int i = lo; i < hi; i++)
                for (int c = 0; c < classes; c++) sums[c] += resid[i * classes + c];
        });
        for (int c = 0; c < classes; c++)
        {
            double s = 0;
            for (int ch = 0; ch < Chunks(); ch++) s += partial[ch * classes + c];
            gb[c] = (float)s;
        }
    }

    public double Penalty(ReadOnlySpan<float> w)
    {
        double l1 = options.L1 > 0 ? options.L1 * TensorPrimitives.SumOfMagnitudes(w) : 0;
        double l2 = options.L2 > 0 ? options.L2 * Norm(w) : 0;
        return l1 + l2;
    }

    /// <summary>prox of step·(λ1‖·‖₁ + λ2‖·‖_F): soft-threshold, then shrink the whole matrix.</summary>
    public void Prox(Span<float> w, float step)
    {
        float t1 = (float)(step * options.L1);
        if (t1 > 0)
            for (int k = 0; k < w.Length; k++)
            {
                float v = w[k];
                w[k] = v > t1 ? v - t1 : v < -t1 ? v + t1 : 0f;
            }
        if (options.L2 > 0)
        {
            double norm = Norm(w);
            double scale = norm <= step * options.L2 ? 0 : 1 - step * options.L2 / norm;
            TensorPrimitives.Multiply(w, (float)scale, w);
        }
    }

    /// <summary>Largest eigenvalue of XᵀX/N by power iteration (X standardised).</summary>
    public double PowerIterationMaxEigen(int iterations)
    {
        var v = new float[features]; var xv = new float[rows];
        var rng = new Random(7);
        for (int j = 0; j < features; j++) v[j] = (float)(rng.NextDouble() + 0.5);
        double lambda = 1;
        for (int it = 0; it < iterations; it++)
        {
            float norm = TensorPrimitives.Norm(v);
            if (norm == 0) return 1;
            TensorPrimitives.Divide(v, norm, v);
            kernels.Sgemm(false, false, rows, 1, features, 1f, x, features, v, 1, 0f, xv, 1);
            kernels.Sgemm(true, false, features, 1, rows, 1f / Math.Max(rows, 1), x, features, xv, 1, 0f, v, 1);
            lambda = TensorPrimitives.Norm(v);
        }
        return lambda * 1.05;
    }

    /// <summary>Euclidean norm accumulated in double (the weights' norm enters the objective).</summary>
    public static double Norm(ReadOnlySpan<float> w) => Math.Sqrt(Dot(w, w));

    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 4 <= a.Length; k += 4)
        {
            s0 += (double)a[k] * b[k]; s1 += (double)a[k + 1] * b[k + 1];
            s2 += (double)a[k + 2] * b[k + 2]; s3 += (double)a[k + 3] * b[k + 3];
        }
        for (; k < a.Length; k++) s0 += (double)a[k] * b[k];
        return (s0 + s1) + (s2 + s3);
    }

    private const int ChunkRows = 2048;
    private int Chunks() => (rows + ChunkRows - 1) / ChunkRows;
    private (int, int) Range(int ch) => (ch * ChunkRows, Math.Min(rows, (ch + 1) * ChunkRows));
}

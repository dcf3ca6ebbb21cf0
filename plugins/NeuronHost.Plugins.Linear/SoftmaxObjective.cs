using System.Numerics.Tensors;

namespace NeuronHost.Plugins.Linear;

/// <summary>The data and penalty of one training problem: raw activations x [rows, features]
/// (row-major, never modified), the column means and 1/std that standardise them, labels and
/// options. Gives logits, the smooth part (mean cross-entropy, optionally + L2Squared‖W‖²), its
/// gradient, the penalty and its prox — all in standardised space, computed with
/// <see cref="SoftmaxPassKernels"/> on the raw rows. Logit and residual buffers are
/// [rows, classes]. Work is split into a fixed number of row partitions whose
/// partial sums are added in order, so results do not depend on thread scheduling.</summary>
internal sealed class SoftmaxObjective
{
    private readonly float[] _x, _mean, _invStd;
    private readonly int[] _y;
    private readonly int _rows, _features, _classes, _valid, _blockRows, _partitions;
    private readonly float[] _wT;
    private readonly float[][] _gradientT, _block, _scratch;
    private readonly double[] _loss;
    private readonly double[][] _biasSums;

    public SoftmaxObjective(float[] x, int rows, int features, int classes, int[] y, int valid,
        float[] mean, float[] invStd, ElasticNetOptions options)
    {
        _x = x; _rows = rows; _features = features; _classes = classes; _y = y; _valid = valid;
        _mean = mean; _invStd = invStd; Options = options;
        _blockRows = Math.Clamp(BlockBytes / (4 * Math.Max(features, 1)) / 4 * 4, 16, 1024);
        int blocks = (rows + _blockRows - 1) / _blockRows;
        _partitions = Math.Max(1, Math.Min(Environment.ProcessorCount, blocks));
        _wT = new float[_classes * features];
        _gradientT = new float[_partitions][];
        _block = new float[_partitions][];
        _scratch = new float[_partitions][];
        _biasSums = new double[_partitions][];
        _loss = new double[_partitions];
        for (int p = 0; p < _partitions; p++)
        {
            _gradientT[p] = new float[_classes * features];
            _block[p] = new float[_blockRows * _classes];
            _scratch[p] = new float[_blockRows * _classes];
            _biasSums[p] = new double[_classes];
        }
    }

    public int Rows => _rows;
    public int Features => _features;
    public int Classes => _classes;
    public ElasticNetOptions Options { get; }
    /// <summary>Multiply-adds of one X·W (or Xᵀ·R) product, for FLOP/s figures.</summary>
    public double GemmFlops => 2.0 * _rows * _features * _classes;
    /// <summary>X·W and Xᵀ·R products done so far.</summary>
    public int GemmCount { get; private set; }
    /// <summary>Floating-point operations of all products so far, mini-batches included.</summary>
    public double TotalFlops => GemmFlops * GemmCount + 4.0 * _batchRows * _features * _classes;
    private long _batchRows;

    // 256 KB of X per block: the block stays in the core's L2 between the forward and the
    // backward product (measured best of 64–1,024 KB on the 1 MB-L2 machines here)
    private const int BlockBytes = 256 << 10;

    /// <summary>z [rows, classes] = standardised X · W + b.</summary>
    public void Logits(ReadOnlySpan<float> w, ReadOnlySpan<float> b, float[] z)
    {
        FoldWeights(w, _invStd, _classes, _wT);
        var bias = b.ToArray();
        ForEachBlock((p, lo, m) =>
        {
            var zb = z.AsSpan(lo * _classes, m * _classes);
            SoftmaxPassKernels.Logits(BlockOf(lo, m), m, _features, _mean, _wT, _classes, zb);
            for (int i = 0; i < m; i++) TensorPrimitives.Add(zb.Slice(i * _classes, _classes), bias, zb.Slice(i * _classes, _classes));
        });
        GemmCount++;
    }

    /// <summary>Mean cross-entropy (+ squared L2); when resid is given, fills (P − Y)/N
    /// (unlabelled rows 0).</summary>
    public double SmoothValue(float[] z, ReadOnlySpan<float> w, float[]? resid)
    {
        ForEachBlock((p, lo, m) =>
        {
            _loss[p] += Softmax(p, z.AsSpan(lo * _classes, m * _classes), lo, m,
                resid is null ? Span<float>.Empty : resid.AsSpan(lo * _classes, m * _classes), null, null);
        });
        return TakeLoss() / Math.Max(_valid, 1) + L2SquaredValue(w);
    }

    /// <summary>Gradient of the smooth part from the residual: gw = X̃ᵀ·R (+ 2·L2Squared·W), gb = Σ rows of R.</summary>
    public void Gradient(float[] resid, ReadOnlySpan<float> w, Span<float> gw, Span<float> gb)
    {
        ForEachBlock((p, lo, m) =>
        {
            var rb = resid.AsSpan(lo * _classes, m * _classes);
            SoftmaxPassKernels.AccumulateGradient(BlockOf(lo, m), m, _features, _mean, rb, _classes, _gradientT[p]);
            var sums = _biasSums[p];
            for (int i = 0; i < m; i++)
                for (int c = 0; c < _classes; c++) sums[c] += rb[i * _classes + c];
        });
        GemmCount++;
        GatherGradient(w, gw, gb);
    }

    /// <summary>Mean cross-entropy (+ squared L2) at (w, b) and its gradient in one fused pass over X.</summary>
    public double ValueAndGradient(ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> gw, Span<float> gb)
    {
        FusedPass(w, b, 0, _rows);
        GemmCount += 2;
        double value = TakeLoss() / Math.Max(_valid, 1) + L2SquaredValue(w);
        GatherGradient(w, gw, gb);
        return value;
    }

    /// <summary>The smooth part (mean cross-entropy + L2Squared‖W‖²) and its gradient over the rows
    /// [first, first + count) only: a mini-batch. Returns the batch's mean cross-entropy.</summary>
    public double BatchValueAndGradient(ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> gw, Span<float> gb, int first, int count)
    {
        int end = Math.Min(_rows, first + count);
        FusedPass(w, b, first, end);
        _batchRows += end - first;
        int labelled = 0;
        for (int i = first; i < end; i++) if (_y[i] >= 0) labelled++;
        double loss = TakeLoss() / Math.Max(labelled, 1);
        GatherGradient(w, gw, gb, withL2Squared: false);
        // the residuals were scaled by 1/N (all rows); rescale to the batch mean
        float scale = (float)Math.Max(_valid, 1) / Math.Max(labelled, 1);
        TensorPrimitives.Multiply(gw, scale, gw);
        TensorPrimitives.Multiply(gb, scale, gb);
        if (Options.L2Squared > 0) TensorPrimitives.MultiplyAdd(w, (float)(2 * Options.L2Squared), gw, gw);
        return loss;
    }

    /// <summary>Rows [first, end), block by block: logits, softmax, residual R = (P − Y)/N, and
    /// X̃ᵀ·R accumulated while the block is still in cache — X is read from memory once instead of
    /// twice. Leaves the loss, gradient and bias sums in the partitions' accumulators.</summary>
    private void FusedPass(ReadOnlySpan<float> w, ReadOnlySpan<float> b, int first, int end)
    {
        FoldWeights(w, _invStd, _classes, _wT);
        var bias = b.ToArray();
        ForEachBlock(first, end, (p, lo, m) =>
        {
            var zb = _block[p].AsSpan(0, m * _classes);
            var xb = BlockOf(lo, m);
            SoftmaxPassKernels.Logits(xb, m, _features, _mean, _wT, _classes, zb);
            _loss[p] += Softmax(p, zb, lo, m, zb, bias, _biasSums[p]);
            SoftmaxPassKernels.AccumulateGradient(xb, m, _features, _mean, zb, _classes, _gradientT[p]);
        });
    }

    /// <summary>Softmax cross-entropy of the block's logit rows (bias added to z first when
    /// given); writes the residual (P − Y)/N into resid (may alias z) and, when biasSums is given,
    /// adds its column sums there. Returns the summed loss. The exponentials of the whole block are
    /// taken in one call: per-row calls on ~20 values cost more than the arithmetic.</summary>
    private double Softmax(int p, Span<float> z, int lo, int m, Span<float> resid, float[]? bias, double[]? biasSums)
    {
        int k = _classes;
        bool withResid = !resid.IsEmpty;
        var e = withResid ? resid[..(m * k)] : _scratch[p].AsSpan(0, m * k);
        Span<float> shifted = stackalloc float[m];   // z[label] − row max, per row
        for (int i = 0; i < m; i++)
        {
            var zi = z.Slice(i * k, k);
            var ei = e.Slice(i * k, k);
            if (bias is not null) for (int c = 0; c < k; c++) zi[c] += bias[c];
            float max = zi[0];
            for (int c = 1; c < k; c++) max = MathF.Max(max, zi[c]);
            int label = _y[lo + i];
            shifted[i] = label < 0 ? 0 : zi[label] - max;
            for (int c = 0; c < k; c++) ei[c] = zi[c] - max;   // after reading zi: e may alias z
        }
        TensorPrimitives.Exp(e, e);
        float invN = 1f / Math.Max(_valid, 1);
        double loss = 0;
        for (int i = 0; i < m; i++)
        {
            var ei = e.Slice(i * k, k);
            int label = _y[lo + i];
            if (label < 0) { if (withResid) ei.Clear(); continue; }
            float sum = 0;
            for (int c = 0; c < k; c++) sum += ei[c];
            loss += Math.Log(sum) - shifted[i];
            if (!withResid) continue;
            float scale = invN / sum;
            for (int c = 0; c < k; c++)
            {
                float r = ei[c] * scale - (c == label ? invN : 0f);
                // flush subnormal residuals (confidently wrong classes): they contribute nothing
                if (MathF.Abs(r) < 1e-30f) r = 0;
                ei[c] = r;
                if (biasSums is not null) biasSums[c] += r;
            }
        }
        return loss;
    }

    /// <summary>wT[c, j] = W[j, c] / std_j: the standardised model as weights for centred raw rows.</summary>
    public static void FoldWeights(ReadOnlySpan<float> w, ReadOnlySpan<float> invStd, int classes, Span<float> wT)
    {
        int features = invStd.Length;
        for (int j = 0; j < features; j++)
        {
            float s = invStd[j];
            for (int c = 0; c < classes; c++) wT[c * features + j] = w[j * classes + c] * s;
        }
    }

    /// <summary>The partitions' summed loss, added in order; resets it for the next pass.</summary>
    private double TakeLoss()
    {
        double total = 0;
        for (int p = 0; p < _partitions; p++) { total += _loss[p]; _loss[p] = 0; }
        return total;
    }

    private double L2SquaredValue(ReadOnlySpan<float> w) =>
        Options.L2Squared > 0 ? Options.L2Squared * TensorPrimitives.SumOfSquares(w) : 0;

    /// <summary>gw[j, c] = (1/std_j)·Σ_p gT_p[c, j] (+ 2·L2Squared·W), gb = Σ_p bias sums; resets
    /// the partitions' accumulators.</summary>
    private void GatherGradient(ReadOnlySpan<float> w, Span<float> gw, Span<float> gb, bool withL2Squared = true)
    {
        for (int c = 0; c < _classes; c++)
        {
            double s = 0;
            for (int p = 0; p < _partitions; p++) s += _biasSums[p][c];
            gb[c] = (float)s;
        }
        for (int j = 0; j < _features; j++)
        {
            float s = _invStd[j];
            for (int c = 0; c < _classes; c++)
            {
                float g = 0;
                for (int p = 0; p < _partitions; p++) g += _gradientT[p][c * _features + j];
                gw[j * _classes + c] = g * s;
            }
        }
        for (int p = 0; p < _partitions; p++) { Array.Clear(_gradientT[p]); Array.Clear(_biasSums[p]); }
        if (withL2Squared && Options.L2Squared > 0) TensorPrimitives.MultiplyAdd(w, (float)(2 * Options.L2Squared), gw, gw);
    }

    public double Penalty(ReadOnlySpan<float> w)
    {
        double l1 = Options.L1 > 0 ? Options.L1 * TensorPrimitives.SumOfMagnitudes(w) : 0;
        double l2 = Options.L2 > 0 ? Options.L2 * Norm(w) : 0;
        return l1 + l2;
    }

    /// <summary>prox of step·(λ1‖·‖₁ + λ2‖·‖_F): soft-threshold, then shrink the whole matrix.</summary>
    public void Prox(Span<float> w, float step)
    {
        float t1 = (float)(step * Options.L1);
        if (t1 > 0)
            for (int k = 0; k < w.Length; k++)
            {
                float v = w[k];
                w[k] = v > t1 ? v - t1 : v < -t1 ? v + t1 : 0f;
            }
        if (Options.L2 > 0)
        {
            double norm = Norm(w);
            double scale = norm <= step * Options.L2 ? 0 : 1 - step * Options.L2 / norm;
            TensorPrimitives.Multiply(w, (float)scale, w);
        }
    }

    /// <summary>Largest eigenvalue of X̃ᵀX̃/N (X̃ standardised) by power iteration, with the
    /// same kernels as a one-class problem.</summary>
    public double PowerIterationMaxEigen(int iterations)
    {
        var v = new float[_features];
        var vT = new float[_features];
        var xv = new float[_rows];
        var parts = new float[_partitions][];
        for (int p = 0; p < _partitions; p++) parts[p] = new float[_features];
        var rng = new Random(7);
        for (int j = 0; j < _features; j++) v[j] = (float)(rng.NextDouble() + 0.5);
        double lambda = 1;
        for (int it = 0; it < iterations; it++)
        {
            float norm = TensorPrimitives.Norm(v);
            if (norm == 0) return 1;
            for (int j = 0; j < _features; j++) vT[j] = v[j] / norm * _invStd[j];
            ForEachBlock((p, lo, m) =>
            {
                var xb = BlockOf(lo, m);
                var zb = xv.AsSpan(lo, m);
                SoftmaxPassKernels.Logits(xb, m, _features, _mean, vT, 1, zb);
                SoftmaxPassKernels.AccumulateGradient(xb, m, _features, _mean, zb, 1, parts[p]);
            });
            for (int j = 0; j < _features; j++)
            {
                float s = 0;
                for (int p = 0; p < _partitions; p++) { s += parts[p][j]; parts[p][j] = 0; }
                v[j] = s * _invStd[j] / Math.Max(_rows, 1);
            }
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

    private ReadOnlySpan<float> BlockOf(int lo, int m) => _x.AsSpan(lo * _features, m * _features);

    /// <summary>Runs body(partition, firstRow, rowCount) for every block of rows; partition p owns
    /// a fixed contiguous range of blocks, one task per partition.</summary>
    private void ForEachBlock(Action<int, int, int> body) => ForEachBlock(0, _rows, body);

    /// <summary>As above, over the rows [first, end) only.</summary>
    private void ForEachBlock(int first, int end, Action<int, int, int> body)
    {
        int blocks = (end - first + _blockRows - 1) / _blockRows;
        int partitions = Math.Min(_partitions, Math.Max(1, blocks));
        Parallel.For(0, partitions, p =>
        {
            for (int blk = p * blocks / partitions; blk < (p + 1) * blocks / partitions; blk++)
            {
                int lo = first + blk * _blockRows;
                body(p, lo, Math.Min(_blockRows, end - lo));
            }
        });
    }
}

using System.Numerics.Tensors;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>Full-batch FISTA (accelerated proximal gradient, backtracking step, adaptive
/// restart) for elastic-net softmax regression. Per iteration: one GEMM for the gradient
/// Xᵀ(P − Y) and one for the logits X·W of the proximal step; the logits of the extrapolated
/// point are combined linearly from those, so no extra GEMM. The prox of
/// λ1‖W‖₁ + λ2‖W‖_F is elementwise soft-thresholding followed by a Frobenius shrink.</summary>
public static class ElasticNetTrainer
{
    /// <summary>Trains on x [rows, features] row-major. x is standardised IN PLACE when
    /// options.Standardize (pass a copy you own). Labels are class indices; -1 rows are ignored.</summary>
    public static SoftmaxModel Fit(float[] x, int rows, int features, ReadOnlySpan<int> labels, int classes,
        ElasticNetOptions options, IComputeKernels kernels, IProgress<ProgressReport>? progress = null,
        CancellationToken cancellation = default, SoftmaxModel? warmStart = null)
    {
        if ((long)rows * features != x.Length) throw new ArgumentException($"x has {x.Length} values, not {rows} × {features}");
        if (labels.Length != rows) throw new PluginInputException($"{labels.Length} labels for {rows} activation rows");
        if (classes < 2) throw new PluginInputException($"the task has {classes} class; a classifier needs at least 2");
        var y = labels.ToArray();
        int valid = 0;
        var seen = new bool[classes];
        for (int i = 0; i < rows; i++)
        {
            if (y[i] == -1) continue;
            if ((uint)y[i] >= (uint)classes) throw new PluginInputException($"label {y[i]} at row {i} is outside 0..{classes - 1}");
            valid++; seen[y[i]] = true;
        }
        if (seen.Count(s => s) < 2)
            throw new PluginInputException($"the training labels contain {seen.Count(s => s)} distinct class(es); a probe needs at least 2");

        var (mean, invStd) = options.Standardize ? StandardizeInPlace(x, rows, features) : Identity(features);
        int p = features * classes;
        var w = new float[p]; var b = new float[classes];
        if (warmStart is not null && warmStart.Features == features && warmStart.Classes == classes)
        {
            warmStart.Weights.CopyTo(w, 0); warmStart.Bias.CopyTo(b, 0);
        }
        var problem = new Problem(x, rows, features, classes, y, valid, options, kernels);

        // Step: L ≥ ½·λmax(X̃ᵀX̃/N) bounds the softmax curvature (X̃ = [X, 1]); start near it and
        // let backtracking correct the power-iteration estimate.
        double lipschitz = Math.Max(0.5 * Math.Max(problem.PowerIterationMaxEigen(15), 1.0) + 2 * options.L2Squared, 1e-6);
        double minL = lipschitz * 1e-4;

        var zx = new float[(long)rows * classes];
        problem.Logits(w, b, zx);
        double fx = problem.SmoothValue(zx, w, null);
        double objective = fx + problem.Penalty(w);
        var yw = (float[])w.Clone(); var yb = (float[])b.Clone(); var zy = (float[])zx.Clone();
        var gw = new float[p]; var gb = new float[classes];
        var nw = new float[p]; var nb = new float[classes]; var zn = new float[zx.Length];
        var resid = new float[zx.Length];
        double t = 1; int calm = 0, iter;
        for (iter = 0; iter < options.MaxIterations; iter++)
        {
            cancellation.ThrowIfCancellationRequested();
            double fy = problem.SmoothValue(zy, yw, resid);
            problem.Gradient(resid, yw, gw, gb);
            double fn;
            while (true)
            {
                float step = (float)(1 / lipschitz);
                for (int k = 0; k < p; k++) nw[k] = yw[k] - step * gw[k];
                for (int c = 0; c < classes; c++) nb[c] = yb[c] - step * gb[c];
                problem.Prox(nw, step);
                problem.Logits(nw, nb, zn);
                fn = problem.SmoothValue(zn, nw, null);
                double lin = 0, sq = 0;
                for (int k = 0; k < p; k++) { double d = nw[k] - yw[k]; lin += gw[k] * d; sq += d * d; }
                for (int c = 0; c < classes; c++) { double d = nb[c] - yb[c]; lin += gb[c] * d; sq += d * d; }
                if (fn <= fy + lin + 0.5 * lipschitz * sq + 1e-12 * Math.Abs(fy) || lipschitz > 1e12) break;
                lipschitz *= 2;
            }
            double newObjective = fn + problem.Penalty(nw);
            if (newObjective > objective)
            {
                // Adaptive restart: drop the momentum, continue from the new point.
                t = 1;
                Array.Copy(nw, yw, p); Array.Copy(nb, yb, classes); Array.Copy(zn, zy, zn.Length);
            }
            else
            {
                double tn = (1 + Math.Sqrt(1 + 4 * t * t)) / 2;
                float beta = (float)((t - 1) / tn);
                t = tn;
                for (int k = 0; k < p; k++) yw[k] = nw[k] + beta * (nw[k] - w[k]);
                for (int c = 0; c < classes; c++) yb[c] = nb[c] + beta * (nb[c] - b[c]);
                Combine(zn, zx, beta, zy);
            }
            double change = Math.Abs(objective - newObjective) / Math.Max(1.0, Math.Abs(newObjective));
            (w, nw) = (nw, w); (b, nb) = (nb, b); (zx, zn) = (zn, zx);
            objective = newObjective;
            calm = change < options.Tolerance ? calm + 1 : 0;
            lipschitz = Math.Max(minL, lipschitz * 0.9);
            progress?.Report(new ProgressReport("linear probe", iter + 1, options.MaxIterations, "iterations"));
            if (calm >= 5) { iter++; break; }
        }
        return new SoftmaxModel(features, classes, w, b, mean, invStd) { Objective = objective, Iterations = iter };
    }

    /// <summary>The objective of a model on (unstandardised) data, in the model's own space.</summary>
    public static double Objective(SoftmaxModel model, ReadOnlySpan<float> raw, int rows, ReadOnlySpan<int> labels,
        ElasticNetOptions options, IComputeKernels kernels)
    {
        var x = raw.ToArray();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < model.Features; j++)
                x[(long)i * model.Features + j] = (x[(long)i * model.Features + j] - model.Mean[j]) * model.InvStd[j];
        var y = labels.ToArray();
        int valid = y.Count(v => v >= 0);
        var problem = new Problem(x, rows, model.Features, model.Classes, y, valid, options, kernels);
        var z = new float[(long)rows * model.Classes];
        problem.Logits(model.Weights, model.Bias, z);
        return problem.SmoothValue(z, model.Weights, null) + problem.Penalty(model.Weights);
    }

    private static void Combine(float[] zn, float[] zx, float beta, float[] zy)
    {
        // zy = zn + β(zn − zx) = (1+β)·zn − β·zx
        TensorPrimitives.Multiply(zn, 1 + beta, zy);
        TensorPrimitives.MultiplyAdd(zx, -beta, zy, zy);
    }

    /// <summary>z-scores each column in place; constant columns become 0.</summary>
    public static (float[] Mean, float[] InvStd) StandardizeInPlace(float[] x, int rows, int features)
    {
        var sum = new double[features]; var sq = new double[features];
        for (int i = 0; i < rows; i++)
        {
            var row = x.AsSpan(i * features, features);
            for (int j = 0; j < features; j++)
            {
                double v = row[j];
                if (!double.IsFinite(v)) throw new NonFiniteActivationException(i, j, row[j]);
                sum[j] += v; sq[j] += v * v;
            }
        }
        var mean = new float[features]; var inv = new float[features];
        for (int j = 0; j < features; j++)
        {
            double m = rows == 0 ? 0 : sum[j] / rows;
            double var = rows == 0 ? 0 : Math.Max(sq[j] / rows - m * m, 0);
            mean[j] = (float)m;
            inv[j] = var > 1e-20 * Math.Max(1, m * m) ? (float)(1 / Math.Sqrt(var)) : 1f;
        }
        Parallel.For(0, rows, i =>
        {
            var row = x.AsSpan(i * features, features);
            TensorPrimitives.Subtract(row, mean, row);
            TensorPrimitives.Multiply(row, inv, row);
        });
        return (mean, inv);
    }

    private static (float[], float[]) Identity(int features)
    {
        var one = new float[features]; Array.Fill(one, 1f);
        return (new float[features], one);
    }

    /// <summary>The data and penalty of one training problem.</summary>
    private sealed class Problem(float[] x, int rows, int features, int classes, int[] y, int valid,
        ElasticNetOptions options, IComputeKernels kernels)
    {
        public void Logits(float[] w, float[] b, float[] z)
        {
            kernels.Sgemm(false, false, rows, classes, features, 1f, x, features, w, classes, 0f, z, classes);
            Parallel.For(0, Chunks(), ch =>
            {
                var (lo, hi) = Range(ch);
                for (int i = lo; i < hi; i++) TensorPrimitives.Add(z.AsSpan(i * classes, classes), b, z.AsSpan(i * classes, classes));
            });
        }

        /// <summary>Mean cross-entropy (+ squared L2); when resid is given, fills (P − Y)/N.</summary>
        public double SmoothValue(float[] z, float[] w, float[]? resid)
        {
            double total = 0;
            object gate = new();
            float invN = 1f / Math.Max(valid, 1);
            Parallel.For(0, Chunks(), () => 0.0, (ch, _, acc) =>
            {
                var (lo, hi) = Range(ch);
                Span<float> e = stackalloc float[classes];
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
                    }
                }
                return acc;
            }, acc => { lock (gate) total += acc; });
            double value = total / Math.Max(valid, 1);
            if (options.L2Squared > 0) value += options.L2Squared * TensorPrimitives.SumOfSquares(w);
            return value;
        }

        public void Gradient(float[] resid, float[] w, float[] gw, float[] gb)
        {
            kernels.Sgemm(true, false, features, classes, rows, 1f, x, features, resid, classes, 0f, gw, classes);
            if (options.L2Squared > 0) TensorPrimitives.MultiplyAdd(w, (float)(2 * options.L2Squared), gw, gw);
            var sums = new double[classes];
            for (int i = 0; i < rows; i++)
                for (int c = 0; c < classes; c++) sums[c] += resid[i * classes + c];
            for (int c = 0; c < classes; c++) gb[c] = (float)sums[c];
        }

        public double Penalty(float[] w)
        {
            double l1 = options.L1 > 0 ? options.L1 * TensorPrimitives.SumOfMagnitudes(w) : 0;
            double l2 = options.L2 > 0 ? options.L2 * Math.Sqrt(TensorPrimitives.SumOfSquares(w)) : 0;
            return l1 + l2;
        }

        /// <summary>prox of step·(λ1‖·‖₁ + λ2‖·‖_F): soft-threshold, then shrink the whole matrix.</summary>
        public void Prox(float[] w, float step)
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
                double norm = Math.Sqrt(TensorPrimitives.SumOfSquares(w));
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

        private const int ChunkRows = 2048;
        private int Chunks() => (rows + ChunkRows - 1) / ChunkRows;
        private (int, int) Range(int ch) => (ch * ChunkRows, Math.Min(rows, (ch + 1) * ChunkRows));
    }
}

using System.Numerics.Tensors;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>Full-batch FISTA (accelerated proximal gradient, backtracking step, adaptive
/// restart). Per iteration: one GEMM for the gradient Xᵀ(P − Y) and one for the logits X·W of the
/// proximal step; the logits of the extrapolated point are combined linearly from those, so no
/// extra GEMM. The prox of λ1‖W‖₁ + λ2‖W‖_F is elementwise soft-thresholding followed by a
/// Frobenius shrink.</summary>
internal static class FistaSolver
{
    public static (double Objective, int Iterations) Solve(SoftmaxObjective problem, float[] w, float[] b, EarlyStopping? stop,
        IProgress<ProgressReport>? progress, CancellationToken cancellation)
    {
        var options = problem.Options;
        int p = w.Length, classes = b.Length;
        // Step: L ≥ ½·λmax(X̃ᵀX̃/N) bounds the softmax curvature (X̃ = [X, 1]); start near it and
        // let backtracking correct the power-iteration estimate.
        double lipschitz = Math.Max(0.5 * Math.Max(problem.PowerIterationMaxEigen(15), 1.0) + 2 * options.L2Squared, 1e-6);
        double minL = lipschitz * 1e-4;

        var zx = new float[(long)problem.Rows * problem.Classes];
        problem.Logits(w, b, zx);
        double fx = problem.SmoothValue(zx, w, null);
        double objective = fx + problem.Penalty(w);
        var yw = (float[])w.Clone(); var yb = (float[])b.Clone(); var zy = (float[])zx.Clone();
        var gw = new float[p]; var gb = new float[classes];
        var nw = new float[p]; var nb = new float[classes]; var zn = new float[zx.Length];
        var resid = new float[zx.Length];
        var cw = w; var cb = b;
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
                for (int k = 0; k < p; k++) yw[k] = nw[k] + beta * (nw[k] - cw[k]);
                for (int c = 0; c < classes; c++) yb[c] = nb[c] + beta * (nb[c] - cb[c]);
                // zy = zn + β(zn − zx) = (1+β)·zn − β·zx
                TensorPrimitives.Multiply(zn, 1 + beta, zy);
                TensorPrimitives.MultiplyAdd(zx, -beta, zy, zy);
            }
            double change = Math.Abs(objective - newObjective) / Math.Max(1.0, Math.Abs(newObjective));
            (cw, nw) = (nw, cw); (cb, nb) = (nb, cb); (zx, zn) = (zn, zx);
            objective = newObjective;
            calm = change < options.Tolerance ? calm + 1 : 0;
            lipschitz = Math.Max(minL, lipschitz * 0.9);
            progress?.Report(new ProgressReport("linear probe", iter + 1, options.MaxIterations, "iterations"));
            if (stop is not null && stop.Observe(iter + 1, cw, cb, objective)) { iter++; break; }
            if (calm >= 5) { iter++; break; }
        }
        if (!ReferenceEquals(cw, w)) { cw.CopyTo(w, 0); cb.CopyTo(b, 0); }
        return (objective, iter);
    }
}

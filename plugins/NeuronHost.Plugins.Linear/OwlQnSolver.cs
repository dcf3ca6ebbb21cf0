using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>OWL-QN (Andrew &amp; Gao 2007): L-BFGS on the smooth part (mean cross-entropy +
/// λ2‖W‖_F + L2Squared‖W‖²) with λ1‖W‖₁ handled orthant-wise — the L-BFGS direction is taken
/// against the pseudo-gradient, sign-constrained to it, and the line search projects every trial
/// point onto the orthant of the current one, so weights that would cross zero stay at zero.
/// Each trial point costs one fused pass over X (X·W and Xᵀ·R block by block); L-BFGS accepts
/// the unit step most of the time.
/// The un-squared Frobenius term is smooth away from W = 0; at exactly 0 its subgradient 0 is used.</summary>
internal static class OwlQnSolver
{
    public static (double Objective, int Iterations) Solve(SoftmaxObjective problem, float[] w, float[] b, EarlyStopping? stop,
        IProgress<ProgressReport>? progress, CancellationToken cancellation)
    {
        var options = problem.Options;
        int p = w.Length, classes = b.Length, n = p + classes, m = Math.Max(1, options.History);
        bool l1 = options.L1 > 0;
        var theta = new float[n]; w.CopyTo(theta, 0); b.CopyTo(theta, p);
        var trial = new float[n];
        var g = new float[n]; var gTrial = new float[n];
        var pg = new float[n]; var dir = new float[n];
        var s = new float[m][]; var yv = new float[m][]; var rho = new double[m]; var alphaHist = new double[m];
        for (int k = 0; k < m; k++) { s[k] = new float[n]; yv[k] = new float[n]; }
        int stored = 0, head = 0;   // ring buffer of the last `stored` (s, y) pairs, newest at head-1

        double f = Evaluate(problem, theta, g, p);
        int iter, calm = 0;
        for (iter = 0; iter < options.MaxIterations; iter++)
        {
            cancellation.ThrowIfCancellationRequested();
            PseudoGradient(theta, g, pg, p, options.L1);
            double pgNorm = SoftmaxObjective.Norm(pg);
            if (pgNorm <= 1e-10) break;

            // direction: −H·pg by the two-loop recursion
            for (int k = 0; k < n; k++) dir[k] = -pg[k];
            for (int q = 0; q < stored; q++)
            {
                int k = (head - 1 - q + m) % m;
                double a = rho[k] * SoftmaxObjective.Dot(s[k], dir);
                alphaHist[k] = a;
                Axpy(-(float)a, yv[k], dir);
            }
            if (stored > 0)
            {
                int k = (head - 1 + m) % m;
                double gamma = SoftmaxObjective.Dot(s[k], yv[k]) / SoftmaxObjective.Dot(yv[k], yv[k]);
                for (int t = 0; t < n; t++) dir[t] *= (float)gamma;
            }
            for (int q = stored - 1; q >= 0; q--)
            {
                int k = (head - 1 - q + m) % m;
                double beta = rho[k] * SoftmaxObjective.Dot(yv[k], dir);
                Axpy((float)(alphaHist[k] - beta), s[k], dir);
            }
            if (l1)
                for (int k = 0; k < p; k++)
                    if (dir[k] * pg[k] >= 0) dir[k] = 0;   // keep only components that descend along −pg
            if (SoftmaxObjective.Dot(dir, pg) >= 0)
            {
                for (int k = 0; k < n; k++) dir[k] = -pg[k];
                stored = 0; head = 0;
            }

            // backtracking line search on the orthant of theta
            double step = stored == 0 ? Math.Min(1.0, 1.0 / pgNorm) : 1.0;
            double ft = double.NaN;
            bool accepted = false;
            for (int ls = 0; ls < 40; ls++)
            {
                for (int k = 0; k < n; k++) trial[k] = theta[k] + (float)step * dir[k];
                if (l1)
                    for (int k = 0; k < p; k++)
                    {
                        float orthant = theta[k] != 0 ? MathF.Sign(theta[k]) : -MathF.Sign(pg[k]);
                        if (MathF.Sign(trial[k]) != orthant) trial[k] = 0;
                    }
                ft = Evaluate(problem, trial, gTrial, p);
                double decrease = 0;
                for (int k = 0; k < n; k++) decrease += (double)pg[k] * (trial[k] - theta[k]);
                if (ft <= f + 1e-4 * decrease) { accepted = true; break; }
                step *= 0.5;
            }
            if (!accepted)
            {
                if (stored == 0) break;         // steepest descent made no progress either: done
                stored = 0; head = 0; continue; // stale curvature: retry from the pseudo-gradient
            }

            // curvature pair; skipped when it would not keep H positive definite
            var sk = s[head]; var yk = yv[head];
            for (int k = 0; k < n; k++) { sk[k] = trial[k] - theta[k]; yk[k] = gTrial[k] - g[k]; }
            double sy = SoftmaxObjective.Dot(sk, yk);
            if (sy > 1e-12 * Math.Max(1, SoftmaxObjective.Dot(yk, yk)))
            {
                rho[head] = 1 / sy;
                head = (head + 1) % m;
                stored = Math.Min(stored + 1, m);
            }
            (theta, trial) = (trial, theta); (g, gTrial) = (gTrial, g);
            double change = Math.Abs(f - ft) / Math.Max(1.0, Math.Abs(ft));
            f = ft;
            progress?.Report(new ProgressReport("linear probe", iter + 1, options.MaxIterations, "iterations"));
            if (stop is not null && stop.Observe(iter + 1, theta.AsSpan(0, p), theta.AsSpan(p), f)) { iter++; break; }
            calm = change < options.Tolerance ? calm + 1 : 0;
            if (calm >= 3) { iter++; break; }
        }
        theta.AsSpan(0, p).CopyTo(w); theta.AsSpan(p).CopyTo(b);
        return (f, iter);
    }

    /// <summary>Full objective at theta, and into g the gradient of the smooth part
    /// (cross-entropy, L2Squared, and λ2‖W‖ away from 0), from one fused pass over X.</summary>
    private static double Evaluate(SoftmaxObjective problem, float[] theta, float[] g, int p)
    {
        var w = theta.AsSpan(0, p);
        double value = problem.ValueAndGradient(w, theta.AsSpan(p), g.AsSpan(0, p), g.AsSpan(p)) + problem.Penalty(w);
        double l2 = problem.Options.L2;
        if (l2 > 0)
        {
            double norm = SoftmaxObjective.Norm(w);
            if (norm > 0) Axpy((float)(l2 / norm), w, g.AsSpan(0, p));
        }
        return value;
    }

    /// <summary>Minimum-norm subgradient of smooth + λ1‖W‖₁ (the bias is not penalised).</summary>
    private static void PseudoGradient(float[] theta, float[] g, float[] pg, int p, double l1)
    {
        float lam = (float)l1;
        for (int k = 0; k < pg.Length; k++)
        {
            if (k >= p || lam == 0) { pg[k] = g[k]; continue; }
            float v = theta[k];
            if (v > 0) pg[k] = g[k] + lam;
            else if (v < 0) pg[k] = g[k] - lam;
            else if (g[k] + lam < 0) pg[k] = g[k] + lam;
            else if (g[k] - lam > 0) pg[k] = g[k] - lam;
            else pg[k] = 0;
        }
    }

    private static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x, a, y, y);
    }
}

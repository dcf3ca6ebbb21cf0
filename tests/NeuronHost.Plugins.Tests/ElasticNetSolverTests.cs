using System.Globalization;
using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Tests;

/// <summary>The solvers on NeuroX's own objective (un-squared Frobenius term, which scikit-learn
/// cannot express) against scipy, and early stopping on a held-out split.</summary>
public class ElasticNetSolverTests
{
    /// <summary>mean CE + λ1‖W‖₁ + λ2‖W‖_F minimised by scipy's L-BFGS-B in float64 with the L1 term
    /// made smooth by splitting W = W⁺ − W⁻ (both ≥ 0): an independent solver of the same problem.
    /// Ours (each solver) must reach scipy's objective within 1e-4 relative, and python scores both.</summary>
    [Theory]
    [InlineData(ElasticNetSolver.OwlQn)]
    [InlineData(ElasticNetSolver.Fista)]
    public void MatchesScipyOnNeuroXObjective(ElasticNetSolver solver)
    {
        Assert.True(Py.Has("scipy"), "python3 with scipy (Debian python3-scipy, a dependency of python3-sklearn) is required");
        const int n = 2000, d = 30, classes = 5;
        const double l1 = 2e-3, l2 = 2e-2;
        var (x, y) = TestData.Generate(n, d, classes, seed: 5, informative: 8, signal: 0.5);
        var options = new ElasticNetOptions { L1 = l1, L2 = l2, MaxIterations = 3000, Tolerance = 1e-10, Solver = solver };
        var raw = (float[])x.Clone();
        var model = ElasticNetTrainer.Fit((float[])x.Clone(), n, d, y, classes, options);
        var dir = TestData.TempDir("enet-scipy");
        TestData.WriteFloats(Path.Combine(dir, "x.bin"), raw);
        TestData.WriteInts(Path.Combine(dir, "y.bin"), y);
        TestData.WriteFloats(Path.Combine(dir, "w.bin"), model.Weights);
        TestData.WriteFloats(Path.Combine(dir, "b.bin"), model.Bias);
        string script = $$"""
            import numpy as np
            from scipy.optimize import minimize
            n, d, k = {{n}}, {{d}}, {{classes}}
            l1, l2 = {{l1.ToString("R", CultureInfo.InvariantCulture)}}, {{l2.ToString("R", CultureInfo.InvariantCulture)}}
            X = np.fromfile("x.bin", dtype=np.float32).reshape(n, d).astype(np.float64)
            y = np.fromfile("y.bin", dtype=np.int32)
            X = (X - X.mean(0)) / X.std(0)
            Y = np.eye(k)[y]
            def objective(W, b):
                Z = X @ W + b
                Z = Z - Z.max(1, keepdims=True)
                ce = -(Z[np.arange(n), y] - np.log(np.exp(Z).sum(1))).mean()
                return ce + l1 * np.abs(W).sum() + l2 * np.sqrt((W ** 2).sum())
            def split(t):
                return (t[:d * k] - t[d * k:2 * d * k]).reshape(d, k), t[2 * d * k:]
            def f(t):
                W, b = split(t)
                Z = X @ W + b
                Z = Z - Z.max(1, keepdims=True)
                P = np.exp(Z); P /= P.sum(1, keepdims=True)
                G = X.T @ (P - Y) / n
                nrm = np.sqrt((W ** 2).sum())
                if nrm > 0: G = G + l2 * W / nrm
                g = np.concatenate([G.ravel() + l1, -G.ravel() + l1, (P - Y).sum(0) / n])
                return objective(W, b), g
            t0 = np.concatenate([np.full(2 * d * k, 1e-3), np.zeros(k)])
            bounds = [(0, None)] * (2 * d * k) + [(None, None)] * k
            r = minimize(f, t0, jac=True, method="L-BFGS-B", bounds=bounds, options=dict(maxiter=20000, maxfun=40000, ftol=1e-15, gtol=1e-11))
            W_ours = np.fromfile("w.bin", dtype=np.float32).reshape(d, k).astype(np.float64)
            b_ours = np.fromfile("b.bin", dtype=np.float32).astype(np.float64)
            print(objective(*split(r.x)), objective(W_ours, b_ours))
            """;
        var v = Py.Numbers(Py.Run(script, dir));
        double scipy = v[0], ours = v[1];
        Assert.True(ours <= scipy * (1 + 1e-4), $"{solver}: our objective {ours:R} > scipy's {scipy:R}");
        Assert.Equal(ours, ElasticNetTrainer.Objective(model, raw, n, y, options), 1e-4);
    }

    /// <summary>Early stopping returns the iterate with the best held-out accuracy seen, which
    /// cannot be worse there than the last iterate; runs are bit-identical; patience 0 ignores
    /// the split.</summary>
    [Fact]
    public void EarlyStoppingKeepsTheBestHeldOutIterateDeterministically()
    {
        const int n = 3000, nd = 1000, d = 60, classes = 6;
        var (x, y) = TestData.Generate(n + nd, d, classes, seed: 9, informative: 30, signal: 0.25);
        var train = x[..(n * d)]; var trainY = y[..n];
        var dev = x[(n * d)..]; var devY = y[n..];
        var set = new EarlyStoppingSet(dev, nd, devY);
        var options = new ElasticNetOptions { L1 = 1e-5, L2 = 1e-5, Tolerance = 1e-8, MaxIterations = 400, EarlyStoppingPatience = 5 };
        var k = new ReferenceKernels();
        var early = ElasticNetTrainer.Fit((float[])train.Clone(), n, d, trainY, classes, options, earlyStopping: set);
        var again = ElasticNetTrainer.Fit((float[])train.Clone(), n, d, trainY, classes, options, earlyStopping: set);
        var full = ElasticNetTrainer.Fit((float[])train.Clone(), n, d, trainY, classes, options);
        var ignored = ElasticNetTrainer.Fit((float[])train.Clone(), n, d, trainY, classes, options with { EarlyStoppingPatience = 0 }, earlyStopping: set);

        Assert.Equal(early.Weights, again.Weights);
        Assert.Equal(early.Bias, again.Bias);
        Assert.Equal(full.Weights, ignored.Weights);
        Assert.True(early.Iterations < full.Iterations, $"early stopping ran {early.Iterations} iterations, the full fit {full.Iterations}");
        double Acc(SoftmaxModel m)
        {
            var (w, b) = m.RawSpace();
            int ok = 0;
            for (int i = 0; i < nd; i++)
            {
                int best = 0; double bv = double.NegativeInfinity;
                for (int c = 0; c < classes; c++)
                {
                    double v = b[c];
                    for (int j = 0; j < d; j++) v += (double)dev[i * d + j] * w[j * classes + c];
                    if (v > bv) { bv = v; best = c; }
                }
                if (best == devY[i]) ok++;
            }
            return (double)ok / nd;
        }
        Assert.True(Acc(early) >= Acc(full), $"early-stopped dev accuracy {Acc(early):P2} < fully trained {Acc(full):P2}");
    }

    /// <summary>The stopping rule, checked on its own record of dev accuracies: only a gain above
    /// the last progress mark + min-delta resets the patience; the iterate returned is the one
    /// with the highest accuracy, progress or not; the training matrix is left as it was.</summary>
    [Theory]
    [InlineData(3, 0.0)]
    [InlineData(3, 0.02)]
    [InlineData(2, 0.5)]
    public void StoppingRuleFollowsTheProgressMargin(int patience, double minDelta)
    {
        const int n = 3000, nd = 1000, d = 60, classes = 6;
        var (x, y) = TestData.Generate(n + nd, d, classes, seed: 11, informative: 30, signal: 0.25);
        var train = x[..(n * d)]; var before = (float[])train.Clone();
        var set = new EarlyStoppingSet(x[(n * d)..], nd, y[n..]);
        var options = new ElasticNetOptions
        {
            L1 = 1e-5, L2 = 1e-5, Tolerance = 1e-12, MaxIterations = 400, EarlyStoppingPatience = patience, EarlyStoppingMinDelta = minDelta,
        };
        var model = ElasticNetTrainer.Fit(train, n, d, y[..n], classes, options, earlyStopping: set);

        Assert.Equal(before, train);
        var checks = model.DevChecks;
        Assert.Equal(model.Iterations, checks.Count);
        // replay the rule: the run must end exactly where `patience` checks in a row made no progress
        double mark = double.NegativeInfinity; int stale = 0, stopAt = -1;
        for (int k = 0; k < checks.Count && stopAt < 0; k++)
        {
            if (checks[k].Accuracy > mark + minDelta) { mark = checks[k].Accuracy; stale = 0; }
            else if (++stale >= patience) stopAt = k + 1;
        }
        Assert.Equal(checks.Count, stopAt);
        if (minDelta >= 0.5) Assert.Equal(1 + patience, checks.Count);   // nothing can beat the first check by 50 points
        int best = checks.Select((c, k) => (c.Accuracy, k)).OrderByDescending(t => t.Accuracy).ThenBy(t => t.k).First().k + 1;
        Assert.Equal(best, model.StoppedEarlyAt ?? model.Iterations);
        Assert.True(checks.Zip(checks.Skip(1)).All(p => p.Second.Elapsed >= p.First.Elapsed), "check times go backwards");
    }

    [Fact]
    public void EarlyStoppingSplitOfTheWrongShapeIsNamed()
    {
        var (x, y) = TestData.Generate(100, 4, 3, 3);
        var e = Assert.Throws<PluginInputException>(() => ElasticNetTrainer.Fit(x, 100, 4, y, 3, new ElasticNetOptions(),
            earlyStopping: new EarlyStoppingSet(new float[30], 10, new int[10])));
        Assert.Contains("early-stopping split", e.Message);
    }

    /// <summary>The Adam warm-up changes the path, not the solution: trained to tolerance, the
    /// convex objective ends where it ends from a cold start.</summary>
    [Fact]
    public void WarmUpReachesTheSameOptimum()
    {
        const int n = 3000, d = 40, classes = 5;
        var (x, y) = TestData.Generate(n, d, classes, seed: 21, informative: 20, signal: 0.3);
        var options = new ElasticNetOptions { L1 = 1e-3, L2 = 1e-2, Tolerance = 1e-10, MaxIterations = 2000 };
        var cold = ElasticNetTrainer.Fit(x, n, d, y, classes, options with { WarmUpEpochs = 0 });
        var warm = ElasticNetTrainer.Fit(x, n, d, y, classes, options with { WarmUpEpochs = 3, WarmUpBatch = 256 });
        double a = ElasticNetTrainer.Objective(cold, x, n, y, options), b = ElasticNetTrainer.Objective(warm, x, n, y, options);
        Assert.True(Math.Abs(a - b) <= 1e-5 * Math.Abs(a), $"objective {b} after the warm-up, {a} from cold");
    }

    /// <summary>A mini-batch's loss and gradient against the softmax cross-entropy written out in
    /// double precision on the standardised batch rows.</summary>
    [Fact]
    public void BatchGradientMatchesDoublePrecisionReference()
    {
        const int n = 700, d = 13, classes = 4, first = 137, count = 150;
        var (x, y) = TestData.Generate(n, d, classes, seed: 4, informative: 8, signal: 0.4);
        var (mean, invStd) = ElasticNetTrainer.ColumnMoments(x, n, d);
        var problem = new SoftmaxObjective(x, n, d, classes, y, y.Count(v => v >= 0), mean, invStd, new ElasticNetOptions());
        var rng = new Random(2);
        var w = Enumerable.Range(0, d * classes).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var b = Enumerable.Range(0, classes).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var gw = new float[w.Length]; var gb = new float[classes];
        double loss = problem.BatchValueAndGradient(w, b, gw, gb, first, count);

        double refLoss = 0; var refW = new double[w.Length]; var refB = new double[classes];
        for (int i = first; i < first + count; i++)
        {
            var xs = Enumerable.Range(0, d).Select(j => ((double)x[i * d + j] - mean[j]) * invStd[j]).ToArray();
            var z = Enumerable.Range(0, classes).Select(c => b[c] + Enumerable.Range(0, d).Sum(j => xs[j] * w[j * classes + c])).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            refLoss += Math.Log(sum) + max - z[y[i]];
            for (int c = 0; c < classes; c++)
            {
                double r = Math.Exp(z[c] - max) / sum - (c == y[i] ? 1 : 0);
                refB[c] += r / count;
                for (int j = 0; j < d; j++) refW[j * classes + c] += r * xs[j] / count;
            }
        }
        Assert.Equal(refLoss / count, loss, 5);
        for (int k = 0; k < w.Length; k++) Assert.True(Math.Abs(gw[k] - refW[k]) < 1e-5, $"gw[{k}] = {gw[k]}, reference {refW[k]}");
        for (int c = 0; c < classes; c++) Assert.True(Math.Abs(gb[c] - refB[c]) < 1e-5, $"gb[{c}] = {gb[c]}, reference {refB[c]}");
    }

    /// <summary>The two ways to the gradient — SmoothValue's residual then Gradient (FISTA), and
    /// the fused ValueAndGradient (OWL-QN) — agree, bias included.</summary>
    [Fact]
    public void ResidualThenGradientEqualsFusedPass()
    {
        const int n = 900, d = 21, classes = 5;
        var (x, y) = TestData.Generate(n, d, classes, seed: 8, informative: 10, signal: 0.4);
        var (mean, invStd) = ElasticNetTrainer.ColumnMoments(x, n, d);
        var problem = new SoftmaxObjective(x, n, d, classes, y, n, mean, invStd, new ElasticNetOptions());
        var rng = new Random(3);
        var w = Enumerable.Range(0, d * classes).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var b = Enumerable.Range(0, classes).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var fusedW = new float[w.Length]; var fusedB = new float[classes];
        double fused = problem.ValueAndGradient(w, b, fusedW, fusedB);

        var z = new float[n * classes]; var resid = new float[z.Length];
        problem.Logits(w, b, z);
        double value = problem.SmoothValue(z, w, resid);
        var gw = new float[w.Length]; var gb = new float[classes];
        problem.Gradient(resid, w, gw, gb);

        Assert.Equal(fused, value, 5);
        for (int k = 0; k < w.Length; k++) Assert.True(Math.Abs(gw[k] - fusedW[k]) < 1e-5, $"gw[{k}] = {gw[k]}, fused {fusedW[k]}");
        for (int c = 0; c < classes; c++) Assert.True(Math.Abs(gb[c] - fusedB[c]) < 1e-5, $"gb[{c}] = {gb[c]}, fused {fusedB[c]}");
    }
}

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
}

using System.Globalization;
using NeuronHost.Plugins.Gaussian;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Tests;

public class GaussianTests
{
    /// <summary>The probe's log π_c + log N(x_S; μ_c, Σ*_c,SS) on every dev token, and its MI, vs
    /// numpy/scipy computing the MAP estimate from its definition.</summary>
    [Fact]
    public void LogLikelihoodAndMutualInformationMatchNumpy()
    {
        Assert.True(Py.Has("scipy"), "python3 with scipy is required");
        const int train = 600, dev = 300, d = 6, classes = 3;
        var data = TestData.Probing(train, dev, d, classes, seed: 5, informative: 4);
        int[] cols = [0, 2, 3, 5];
        var model = (GaussianModel)new GaussianProbe { Prior = GaussianPrior.Pitfalls }.Train(data, cols, TestData.Context());
        var (lj, cls) = model.LogJoint(data.Dev!.Activations);
        double mi = model.MutualInformation(data.Dev);
        var dir = TestData.TempDir("gauss");
        var all = data.Train.Activations.ToArray().Concat(data.Dev.Activations.ToArray()).ToArray();
        TestData.WriteFloats(Path.Combine(dir, "x.bin"), all);
        TestData.WriteInts(Path.Combine(dir, "y.bin"), data.Train.Labels.ToArray().Concat(data.Dev.Labels.ToArray()).ToArray());
        string script = $$"""
            import numpy as np
            from scipy.stats import multivariate_normal
            X = np.fromfile("x.bin", dtype=np.float32).reshape(-1, {{d}}).astype(np.float64)
            y = np.fromfile("y.bin", dtype=np.int32)
            Xt, yt, Xd, yd = X[:{{train}}], y[:{{train}}], X[{{train}}:], y[{{train}}:]
            D = {{d}}; cols = [0, 2, 3, 5]
            out = []
            for c in range({{classes}}):
                Xc = Xt[yt == c]; Nc = len(Xc); mu = Xc.mean(0)
                lam0 = np.diag(np.diag(np.cov(Xc, rowvar=False)))
                S = (Xc - mu).T @ (Xc - mu)
                sigma = (lam0 + S) / ((D + 2) + Nc + D + 2)
                sub = sigma[np.ix_(cols, cols)]
                out.append(np.log(Nc / len(yt)) + multivariate_normal(mu[cols], sub).logpdf(Xd[:, cols]))
            L = np.stack(out, 1)
            m = L.max(1, keepdims=True)
            logpost = L - m - np.log(np.exp(L - m).sum(1, keepdims=True))
            p = np.bincount(yd, minlength={{classes}}) / len(yd); p = p[p > 0]
            H = -(p * np.log(p)).sum()
            mi = (H + logpost[np.arange(len(yd)), yd].mean()) / np.log(2)
            print(mi); print(" ".join(repr(v) for v in L.ravel()))
            """;
        var v = Py.Numbers(Py.Run(script, dir));
        Assert.Equal(classes, cls.Length);
        Assert.Equal(v[0], mi, 1e-6);
        Assert.Equal(dev * classes, v.Length - 1);
        for (int i = 0; i < dev * classes; i++)
            Assert.True(Math.Abs(v[1 + i] - lj[i]) <= 1e-6 * Math.Max(1, Math.Abs(v[1 + i])), $"log-joint {i}: {lj[i]} vs numpy {v[1 + i]}");
    }

    /// <summary>A ReLU neuron that is exactly 0 for every token of one class (as USE-Lite's FFN
    /// neurons are): Λ0 is floored at 1% of the neuron's overall variance, so the class density
    /// stays finite; numpy computes the same floored MAP estimate from its definition, and the
    /// probe stays far above the majority class.</summary>
    [Fact]
    public void VarianceFloorOnAClassConstantNeuronMatchesNumpy()
    {
        const int train = 600, dev = 300, d = 6, classes = 3;
        var raw = TestData.Probing(train, dev, d, classes, seed: 5, informative: 4);
        DataSplit Relu(DataSplit split)
        {
            var x = split.Activations.ToArray(); var y = split.Labels.Span;
            for (int i = 0; i < y.Length; i++) x[i * d + 2] = y[i] == 0 ? 0f : MathF.Max(0f, x[i * d + 2]);
            return split with { Activations = new DenseActivationMatrix(x, y.Length, raw.Neurons.ToArray()) };
        }
        var data = raw with { Train = Relu(raw.Train), Dev = Relu(raw.Dev!), Test = null };
        int[] cols = [0, 2, 3];
        var model = (GaussianModel)new GaussianProbe { Prior = GaussianPrior.Pitfalls }.Train(data, cols, TestData.Context());
        var (lj, _) = model.LogJoint(data.Dev!.Activations);
        var dir = TestData.TempDir("gauss-floor");
        TestData.WriteFloats(Path.Combine(dir, "x.bin"), data.Train.Activations.ToArray().Concat(data.Dev.Activations.ToArray()).ToArray());
        TestData.WriteInts(Path.Combine(dir, "y.bin"), data.Train.Labels.ToArray().Concat(data.Dev.Labels.ToArray()).ToArray());
        string script = $$"""
            import numpy as np
            from scipy.stats import multivariate_normal
            X = np.fromfile("x.bin", dtype=np.float32).reshape(-1, {{d}}).astype(np.float64)
            y = np.fromfile("y.bin", dtype=np.int32)
            Xt, yt, Xd = X[:{{train}}], y[:{{train}}], X[{{train}}:]
            D = {{d}}; cols = [0, 2, 3]
            floor = 0.01 * Xt.var(0)
            out = []
            for c in range({{classes}}):
                Xc = Xt[yt == c]; Nc = len(Xc); mu = Xc.mean(0)
                lam0 = np.diag(np.maximum(np.var(Xc, 0, ddof=1), floor))
                S = (Xc - mu).T @ (Xc - mu)
                sigma = (lam0 + S) / ((D + 2) + Nc + D + 2)
                out.append(np.log(Nc / len(yt)) + multivariate_normal(mu[cols], sigma[np.ix_(cols, cols)]).logpdf(Xd[:, cols]))
            print(" ".join(repr(v) for v in np.stack(out, 1).ravel()))
            """;
        var v = Py.Numbers(Py.Run(script, dir));
        Assert.Equal(dev * classes, v.Length);
        for (int i = 0; i < v.Length; i++)
            Assert.True(Math.Abs(v[i] - lj[i]) <= 1e-6 * Math.Max(1, Math.Abs(v[i])), $"log-joint {i}: {lj[i]} vs numpy {v[i]}");
        double accuracy = model.Evaluate(data.Dev, data.ClassNames).Accuracy;
        Assert.True(accuracy > 0.6, $"dev accuracy {accuracy:P1} (majority is about 1/3)");
    }

    /// <summary>The incremental selection, and the benchmark's from-scratch selector, pick the same
    /// neurons, with the same MI, as a slow reference that rebuilds Σ*_{S∪j} from scratch (double
    /// precision) for every candidate.</summary>
    [Fact]
    public void IncrementalSelectionMatchesFromScratchReference()
    {
        const int train = 800, dev = 300, d = 24, classes = 4, steps = 8;
        var data = TestData.Probing(train, dev, d, classes, seed: 9, informative: 10, signal: 0.5);
        var ranking = new GaussianRanking { MaxNeurons = steps, MaxSelectionTokens = 0, Prior = GaussianPrior.Pitfalls };
        var result = ranking.Rank(new RankingRequest(data), TestData.Context());
        var reference = SlowReference.Select(data, steps);
        for (int t = 0; t < steps; t++)
        {
            Assert.Equal(reference[t].Column, ranking.Steps[t].Column);
            Assert.Equal(reference[t].Mi, ranking.Steps[t].MutualInformation, 1e-4);
        }
        Assert.Equal(d, result.Order.Count);
        Assert.Equal(d, result.Order.Select(o => o.Column).Distinct().Count());

        // the benchmark's from-scratch selector (blocked, parallel) against the same reference
        var context = TestData.Context();
        var stats = new GaussianStatistics(data, context, "gaussian", prior: GaussianPrior.Pitfalls);
        var (x, y, n) = EvaluationRows.Gather(data.Dev!, stats.Active, 0, context.Seed, default);
        var scratch = new FromScratchGaussianSelector(stats, x, y, n).Select(steps);
        Assert.Equal(steps, scratch.Count);
        for (int t = 0; t < steps; t++)
        {
            Assert.Equal(reference[t].Column, scratch[t].Column);
            Assert.Equal(reference[t].Mi, scratch[t].MutualInformation, 1e-5);
        }
    }

    /// <summary>The from-scratch selector's register-blocked triangular solve against plain forward
    /// substitution, for sizes that exercise the 3-row groups and the leftover rows.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(37)]
    public void BlockedForwardSubstitutionSolvesTheTriangularSystem(int k)
    {
        const int tb = FromScratchGaussianSelector.TokenBlock;
        var rng = new Random(k);
        var l = new double[k * k];
        for (int r = 0; r < k; r++)
        {
            for (int s = 0; s < r; s++) l[r * k + s] = rng.NextDouble() - 0.5;
            l[r * k + r] = 1 + rng.NextDouble();
        }
        var z = new double[k * tb];
        for (int i = 0; i < z.Length; i++) z[i] = rng.NextDouble() * 4 - 2;
        var expected = new double[k * tb]; var q = new double[tb];
        for (int t = 0; t < tb; t++)
            for (int r = 0; r < k; r++)
            {
                double v = z[r * tb + t];
                for (int s = 0; s < r; s++) v -= l[r * k + s] * expected[s * tb + t];
                expected[r * tb + t] = v / l[r * k + r];
                q[t] += expected[r * tb + t] * expected[r * tb + t];
            }
        var actualQ = new double[tb];
        FromScratchGaussianSelector.ForwardSubstitute(l, k, z, actualQ);
        for (int i = 0; i < z.Length; i++) Assert.Equal(expected[i], z[i], 1e-9 * Math.Max(1, Math.Abs(expected[i])));
        for (int t = 0; t < tb; t++) Assert.Equal(q[t], actualQ[t], 1e-9 * Math.Max(1, q[t]));
    }

    [Fact]
    public void ClassWithOneExampleIsAClearError()
    {
        var data = TestData.Probing(200, 0, 5, 3, seed: 2);
        var y = data.Train.Labels.ToArray();
        for (int i = 0; i < y.Length; i++) if (y[i] == 2) y[i] = 0;
        y[17] = 2;
        var bad = data with { Train = data.Train with { Labels = y } };
        var e = Assert.Throws<PluginInputException>(() => new GaussianProbe().Train(bad, [0, 1], TestData.Context()));
        Assert.Contains("'C2' has 1 training example", e.Message);
    }

    [Fact]
    public void NaNActivationIsNamed()
    {
        var data = TestData.Probing(200, 0, 5, 3, seed: 2);
        var x = data.Train.Activations.ToArray();
        x[3 * 5 + 4] = float.NaN;
        var bad = data with { Train = data.Train with { Activations = new DenseActivationMatrix(x, 200, data.Neurons) } };
        var e = Assert.ThrowsAny<Exception>(() => new GaussianRanking().Rank(new RankingRequest(bad), TestData.Context()));
        Assert.Contains("4", e.Message);
        Assert.True(e is PluginInputException or NonFiniteActivationException, e.GetType().Name);
    }

    /// <summary>Greedy MI selection written the obvious way: full Σ* per class from its
    /// definition, then for every candidate the sub-block, a fresh Cholesky and the densities.</summary>
    private static class SlowReference
    {
        public static List<(int Column, double Mi)> Select(ProbingData data, int steps)
        {
            int d = data.Neurons.Count, cc = data.ClassCount;
            var xt = data.Train.Activations.ToArray(); var yt = data.Train.Labels.ToArray();
            var xe = data.Dev!.Activations.ToArray(); var ye = data.Dev.Labels.ToArray();
            int nt = yt.Length, ne = ye.Length;
            var mu = new double[cc][]; var sigma = new double[cc][]; var logPrior = new double[cc];
            for (int c = 0; c < cc; c++)
            {
                var rows = Enumerable.Range(0, nt).Where(i => yt[i] == c).ToArray();
                int nc = rows.Length;
                logPrior[c] = Math.Log((double)nc / nt);
                mu[c] = new double[d];
                foreach (int i in rows) for (int j = 0; j < d; j++) mu[c][j] += xt[i * d + j] / (double)nc;
                var s = new double[d * d];
                foreach (int i in rows)
                    for (int a = 0; a < d; a++)
                        for (int b = 0; b < d; b++) s[a * d + b] += (xt[i * d + a] - mu[c][a]) * (xt[i * d + b] - mu[c][b]);
                double den = (d + 2) + nc + d + 2;
                sigma[c] = new double[d * d];
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++) sigma[c][a * d + b] = (s[a * d + b] + (a == b ? s[a * d + a] / (nc - 1) : 0)) / den;
            }
            var freq = new double[cc]; foreach (int c in ye) freq[c]++;
            double h = -freq.Where(f => f > 0).Sum(f => f / ne * Math.Log(f / ne));
            var selected = new List<int>(); var result = new List<(int, double)>();
            for (int t = 0; t < steps; t++)
            {
                int best = -1; double bestMi = double.NegativeInfinity;
                for (int j = 0; j < d; j++)
                {
                    if (selected.Contains(j)) continue;
                    var set = selected.Append(j).ToArray();
                    double mi = Mi(set, xe, ye, d, cc, mu, sigma, logPrior, h);
                    if (mi > bestMi) { bestMi = mi; best = j; }
                }
                selected.Add(best); result.Add((best, bestMi));
            }
            return result;
        }

        private static double Mi(int[] set, float[] xe, int[] ye, int d, int cc, double[][] mu, double[][] sigma, double[] logPrior, double h)
        {
            int k = set.Length, ne = ye.Length;
            var lj = new double[ne * cc];
            for (int c = 0; c < cc; c++)
            {
                var m = new double[k * k];
                for (int a = 0; a < k; a++) for (int b = 0; b < k; b++) m[a * k + b] = sigma[c][set[a] * d + set[b]];
                Assert.True(DenseCholeskyRef(m, k));
                double logDet = 0; for (int a = 0; a < k; a++) logDet += 2 * Math.Log(m[a * k + a]);
                var z = new double[k];
                for (int i = 0; i < ne; i++)
                {
                    for (int a = 0; a < k; a++)
                    {
                        double s = xe[i * d + set[a]] - mu[c][set[a]];
                        for (int b = 0; b < a; b++) s -= m[a * k + b] * z[b];
                        z[a] = s / m[a * k + a];
                    }
                    lj[i * cc + c] = logPrior[c] - 0.5 * (k * Math.Log(2 * Math.PI) + logDet + z.Sum(v => v * v));
                }
            }
            double ll = 0;
            for (int i = 0; i < ne; i++)
            {
                double max = Enumerable.Range(0, cc).Max(c => lj[i * cc + c]);
                double lse = max + Math.Log(Enumerable.Range(0, cc).Sum(c => Math.Exp(lj[i * cc + c] - max)));
                ll += lj[i * cc + ye[i]] - lse;
            }
            return (h + ll / ne) / Math.Log(2);
        }

        private static bool DenseCholeskyRef(double[] a, int n)
        {
            for (int j = 0; j < n; j++)
            {
                for (int i = j; i < n; i++)
                {
                    double s = a[i * n + j];
                    for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
                    if (i == j) { if (s <= 0) return false; a[j * n + j] = Math.Sqrt(s); }
                    else a[i * n + j] = s / a[j * n + j];
                }
            }
            return true;
        }
    }
}

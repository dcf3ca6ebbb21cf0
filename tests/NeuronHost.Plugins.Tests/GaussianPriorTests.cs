using NeuronHost.Plugins.Gaussian;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Plugins.Tests;

/// <summary>The default prior (scaled: Λ0 = (2D + 4)·diag of the class covariance) against numpy
/// computing the MAP estimate from its definition; and on a rare class it keeps the variances
/// near the class's own where Pitfalls' prior shrinks them.</summary>
public sealed class GaussianPriorTests
{
    [PythonModuleFact("scipy")]
    public void Scaled_prior_log_joint_and_mutual_information_match_numpy()
    {
        const int train = 600, dev = 300, d = 6, classes = 3;
        var data = TestData.Probing(train, dev, d, classes, seed: 5, informative: 4);
        int[] cols = [0, 2, 3, 5];
        var model = (GaussianModel)new GaussianProbe().Train(data, cols, TestData.Context());
        var (lj, _) = model.LogJoint(data.Dev!.Activations);
        double mi = model.MutualInformation(data.Dev);
        var dir = TestData.TempDir("gauss-scaled");
        TestData.WriteFloats(Path.Combine(dir, "x.bin"), data.Train.Activations.ToArray().Concat(data.Dev.Activations.ToArray()).ToArray());
        TestData.WriteInts(Path.Combine(dir, "y.bin"), data.Train.Labels.ToArray().Concat(data.Dev.Labels.ToArray()).ToArray());
        string script = $$"""
            import numpy as np
            from scipy.stats import multivariate_normal
            X = np.fromfile("x.bin", dtype=np.float32).reshape(-1, {{d}}).astype(np.float64)
            y = np.fromfile("y.bin", dtype=np.int32)
            Xt, yt, Xd, yd = X[:{{train}}], y[:{{train}}], X[{{train}}:], y[{{train}}:]
            D = {{d}}; cols = [0, 2, 3, 5]
            floor = 0.01 * Xt.var(0)
            out = []
            for c in range({{classes}}):
                Xc = Xt[yt == c]; Nc = len(Xc); mu = Xc.mean(0)
                lam0 = (2 * D + 4) * np.diag(np.maximum(np.var(Xc, 0, ddof=1), floor))
                S = (Xc - mu).T @ (Xc - mu)
                sigma = (lam0 + S) / ((D + 2) + Nc + D + 2)
                out.append(np.log(Nc / len(yt)) + multivariate_normal(mu[cols], sigma[np.ix_(cols, cols)]).logpdf(Xd[:, cols]))
            L = np.stack(out, 1)
            m = L.max(1, keepdims=True)
            logpost = L - m - np.log(np.exp(L - m).sum(1, keepdims=True))
            p = np.bincount(yd, minlength={{classes}}) / len(yd); p = p[p > 0]
            print((-(p * np.log(p)).sum() + logpost[np.arange(len(yd)), yd].mean()) / np.log(2))
            print(" ".join(repr(v) for v in L.ravel()))
            """;
        var v = Py.Numbers(Py.Run(script, dir));
        Assert.Equal(v[0], mi, 1e-6);
        for (int i = 0; i < dev * classes; i++)
            Assert.True(Math.Abs(v[1 + i] - lj[i]) <= 1e-6 * Math.Max(1, Math.Abs(v[1 + i])), $"log-joint {i}: {lj[i]} vs numpy {v[1 + i]}");
    }
}

using System.Globalization;
using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Tests;

public class ElasticNetTests
{
    /// <summary>Our solution (each solver: OWL-QN, the default, and FISTA) vs scikit-learn's saga on the same standardised data and the
    /// same objective: sklearn minimises C·ΣCE + ρ‖W‖₁ + (1−ρ)/2‖W‖², i.e. (dividing by C·N)
    /// mean CE + λ1‖W‖₁ + λ2sq‖W‖² with λ1 = ρ/(CN), λ2sq = (1−ρ)/(2CN). Both solutions are scored
    /// under that objective by python; ours must be no worse than sklearn's (+1e-4 relative) and
    /// the accuracies must agree within 1 point.</summary>
    [Theory]
    [InlineData(ElasticNetSolver.OwlQn)]
    [InlineData(ElasticNetSolver.Fista)]
    public void MatchesScikitLearnElasticNet(ElasticNetSolver solver)
    {
        Assert.True(Py.Has("sklearn"), "python3 with sklearn (Debian python3-sklearn) is required");
        const int n = 3000, d = 40, classes = 6;
        var (x, y) = TestData.Generate(n, d, classes, seed: 11, informative: 10, signal: 0.6);
        const double cReg = 0.05, rho = 0.5;
        var options = new ElasticNetOptions
        {
            L1 = rho / (cReg * n), L2 = 0, L2Squared = (1 - rho) / (2 * cReg * n), MaxIterations = 3000, Tolerance = 1e-10, Solver = solver,
        };
        var raw = (float[])x.Clone();
        var model = ElasticNetTrainer.Fit((float[])x.Clone(), n, d, y, classes, options);
        var dir = TestData.TempDir("enet");
        TestData.WriteFloats(Path.Combine(dir, "x.bin"), raw);
        TestData.WriteInts(Path.Combine(dir, "y.bin"), y);
        TestData.WriteFloats(Path.Combine(dir, "w.bin"), model.Weights);
        TestData.WriteFloats(Path.Combine(dir, "b.bin"), model.Bias);
        string script = $$"""
            import numpy as np, warnings
            from sklearn.linear_model import LogisticRegression
            warnings.simplefilter("ignore")
            n, d, k = {{n}}, {{d}}, {{classes}}
            X = np.fromfile("x.bin", dtype=np.float32).reshape(n, d).astype(np.float64)
            y = np.fromfile("y.bin", dtype=np.int32)
            X = (X - X.mean(0)) / X.std(0)
            C, rho = {{cReg.ToString(CultureInfo.InvariantCulture)}}, {{rho.ToString(CultureInfo.InvariantCulture)}}
            clf = LogisticRegression(penalty="elasticnet", solver="saga", l1_ratio=rho, C=C, multi_class="multinomial",
                                     max_iter=20000, tol=1e-9, random_state=0).fit(X, y)
            def objective(W, b):
                Z = X @ W + b
                Z = Z - Z.max(1, keepdims=True)
                ce = -(Z[np.arange(n), y] - np.log(np.exp(Z).sum(1))).mean()
                return ce + rho / (C * n) * np.abs(W).sum() + (1 - rho) / (2 * C * n) * (W ** 2).sum()
            W_ours = np.fromfile("w.bin", dtype=np.float32).reshape(d, k).astype(np.float64)
            b_ours = np.fromfile("b.bin", dtype=np.float32).astype(np.float64)
            acc_ours = ((X @ W_ours + b_ours).argmax(1) == y).mean()
            print(objective(clf.coef_.T, clf.intercept_), objective(W_ours, b_ours), clf.score(X, y), acc_ours)
            """;
        var v = Py.Numbers(Py.Run(script, dir));
        double sk = v[0], ours = v[1], skAcc = v[2], ourAcc = v[3];
        Assert.True(ours <= sk * (1 + 1e-4), $"our objective {ours:R} > sklearn's {sk:R}");
        Assert.True(Math.Abs(ours - sk) / sk < 2e-3, $"objectives differ: ours {ours:R}, sklearn {sk:R}");
        Assert.True(Math.Abs(ourAcc - skAcc) <= 0.01, $"accuracy ours {ourAcc:P2} vs sklearn {skAcc:P2}");
        // the C# objective of the same solution agrees with python's evaluation
        double csObjective = ElasticNetTrainer.Objective(model, raw, n, y, options);
        Assert.Equal(ours, csObjective, 1e-4);
    }

    [Fact]
    public void OneClassIsAClearError()
    {
        var (x, _) = TestData.Generate(50, 4, 2, 3);
        var y = new int[50];
        var e = Assert.Throws<PluginInputException>(() =>
            ElasticNetTrainer.Fit(x, 50, 4, y, 2, new ElasticNetOptions()));
        Assert.Contains("1 distinct class", e.Message);
    }

    [Fact]
    public void NaNActivationIsNamed()
    {
        var (x, y) = TestData.Generate(50, 4, 2, 3);
        x[7 * 4 + 2] = float.NaN;
        var e = Assert.Throws<NonFiniteActivationException>(() =>
            ElasticNetTrainer.Fit(x, 50, 4, y, 2, new ElasticNetOptions()));
        Assert.Equal(7, e.Row); Assert.Equal(2, e.Column);
    }
}

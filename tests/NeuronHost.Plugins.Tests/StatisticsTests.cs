using System.Globalization;
using NeuronHost.Sdk;
using NeuronHost.Sdk.Statistics;
using NeuronHost.Tests.Common;

namespace NeuronHost.Plugins.Tests;

/// <summary>The statistics every baseline comparison reports, against scipy 1.10 on the same data.</summary>
public sealed class StatisticsTests
{
    private static string Py(IEnumerable<double> v) => "[" + string.Join(",", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]";
    private static double[] Numbers(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    private static double[] Normal(int n, ulong seed, double mean)
    {
        var rng = new SplitMix64(seed);
        double U() => ((rng.Next() >> 11) + 0.5) / (1UL << 53);
        return Enumerable.Range(0, n).Select(_ => mean + Math.Sqrt(-2 * Math.Log(U())) * Math.Cos(2 * Math.PI * U())).ToArray();
    }

    [PythonModuleFact("scipy")]
    public void Student_t_quantiles_and_binomial_tails_match_scipy()
    {
        double[] dfs = [1, 2, 5, 9, 29, 100];
        double[] ps = [0.975, 0.9, 0.6, 0.01];
        (int k, int n, double p)[] binomial = [(42, 72, 0.5), (0, 10, 0.3), (10, 10, 0.3), (7, 20, 0.25), (600, 1000, 0.55), (1, 5, 0.999)];
        string script = $$"""
            import scipy.stats as st
            print(' '.join(repr(st.t.ppf(p, df)) for df in {{Py(dfs)}} for p in {{Py(ps)}}))
            print(' '.join(repr(st.binomtest(k, n, p, alternative='greater').pvalue) for k, n, p in {{"[" + string.Join(",", binomial.Select(b => FormattableString.Invariant($"({b.k},{b.n},{b.p})"))) + "]"}}))
            """;
        var lines = PythonReference.RunOrThrow(script).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var quantiles = Numbers(lines[0]);
        int i = 0;
        foreach (var df in dfs)
            foreach (var p in ps)
                Assert.Equal(quantiles[i++], SpecialFunctions.StudentTQuantile(p, df), 1e-8 * Math.Max(1, Math.Abs(quantiles[i - 1])));
        var tails = Numbers(lines[1]);
        for (int b = 0; b < binomial.Length; b++)
            Assert.Equal(tails[b], BinomialTest.PGreater(binomial[b].k, binomial[b].n, binomial[b].p), 1e-10 + 1e-9 * tails[b]);
        // The skill-neuron figure of the issue: 42 of 72 held-out prompts is not above chance.
        Assert.InRange(BinomialTest.PGreater(42, 72, 0.5), 0.0972, 0.0973);
    }

    /// <summary>NEG's significance: the p-value of a linearity r (null ρ = 0) is scipy's pearsonr
    /// p-value, and the NEG-vs-NeurGrad interval is scipy's Fisher interval, on fixed data.</summary>
    [PythonModuleFact("scipy")]
    public void Correlation_p_values_and_fisher_intervals_match_scipy_pearsonr()
    {
        var x = Normal(40, 7, 0);
        var noise = Normal(40, 8, 0);
        double[][] ys = [x.Zip(noise, (a, b) => 0.9 * a + 0.1 * b).ToArray(), x.Zip(noise, (a, b) => 0.2 * a + b).ToArray(), noise];
        string script = $$"""
            import scipy.stats as st
            x = {{Py(x)}}
            for y in [{{string.Join(",", ys.Select(Py))}}]:
                r = st.pearsonr(x, y)
                ci = r.confidence_interval(0.95)
                print(repr(r.statistic), repr(r.pvalue), repr(ci.low), repr(ci.high))
            """;
        var lines = PythonReference.RunOrThrow(script).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < ys.Length; i++)
        {
            var v = Numbers(lines[i]);
            double mx = x.Average(), my = ys[i].Average();
            double r = x.Zip(ys[i]).Sum(t => (t.First - mx) * (t.Second - my)) / Math.Sqrt(x.Sum(a => (a - mx) * (a - mx)) * ys[i].Sum(b => (b - my) * (b - my)));
            Assert.Equal(v[0], r, 12);
            Assert.Equal(v[1], CorrelationTest.PValue(r, x.Length), 1e-12 + 1e-8 * v[1]);
            var (lo, hi) = CorrelationTest.Interval(r, x.Length);
            Assert.Equal(v[2], lo, 1e-9);
            Assert.Equal(v[3], hi, 1e-9);
        }
        Assert.True(CorrelationTest.PValue(0.999, 40) < 1e-40);   // a linear neuron: far beyond chance
        Assert.True(double.IsNaN(CorrelationTest.PValue(0.5, 2)));
    }

    [PythonModuleFact("scipy")]
    public void Summary_interval_is_scipys_t_interval_and_non_finite_draws_are_counted_not_averaged()
    {
        var draws = Normal(10, 7, 0.01);
        var s = SampleSummary.Of(draws.Append(double.NaN));
        var reference = Numbers(PythonReference.RunOrThrow($$"""
            import numpy as np, scipy.stats as st
            x = np.array({{Py(draws)}})
            lo, hi = st.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=st.sem(x))
            print(repr(x.mean()), repr(x.std(ddof=1)), repr(lo), repr(hi))
            """));
        Assert.Equal(10, s.N);
        Assert.Equal(1, s.Dropped);
        Assert.Equal(reference[0], s.Mean, 1e-12);
        Assert.Equal(reference[1], s.Sd, 1e-12);
        Assert.Equal(reference[2], s.Low95, 1e-9);
        Assert.Equal(reference[3], s.High95, 1e-9);
    }

    [PythonModuleFact("scipy")]
    public void Exact_sign_flip_p_equals_scipys_exact_paired_permutation_test()
    {
        var a = Normal(14, 11, 0.4);
        var b = Normal(14, 12, 0.0);
        var ours = PairedTest.Compare(a, b, seed: 5);
        double p = Numbers(PythonReference.RunOrThrow($$"""
            import numpy as np, scipy.stats as st
            a, b = np.array({{Py(a)}}), np.array({{Py(b)}})
            r = st.permutation_test((a, b), lambda x, y: np.mean(x - y), permutation_type='samples', n_resamples=np.inf, vectorized=False)
            print(repr(r.pvalue))
            """))[0];
        Assert.True(ours.Exact);
        Assert.Equal(p, ours.PValue, 1e-12);
        Assert.Equal(a.Zip(b, (x, y) => x - y).Average(), ours.MeanDifference, 1e-12);
    }

    [PythonModuleFact("scipy")]
    public void Monte_carlo_p_and_bootstrap_interval_agree_with_scipy_within_their_sampling_error()
    {
        var a = Normal(200, 21, 0.12);
        var b = Normal(200, 22, 0.0);
        var ours = PairedTest.Compare(a, b, seed: 9, rounds: 20_000);
        var reference = Numbers(PythonReference.RunOrThrow($$"""
            import numpy as np, scipy.stats as st
            a, b = np.array({{Py(a)}}), np.array({{Py(b)}})
            p = st.permutation_test((a, b), lambda x, y, axis: np.mean(x - y, axis=axis), permutation_type='samples', n_resamples=20000, random_state=1).pvalue
            ci = st.bootstrap(((a - b),), np.mean, method='percentile', n_resamples=20000, random_state=1).confidence_interval
            print(repr(p), repr(ci.low), repr(ci.high))
            """));
        Assert.False(ours.Exact);
        // Monte Carlo p: sd ≈ sqrt(p(1−p)/20000) ≤ 0.0036 on each side.
        Assert.InRange(ours.PValue - reference[0], -0.02, 0.02);
        double halfWidth = (reference[2] - reference[1]) / 2;
        Assert.InRange(ours.Low95 - reference[1], -0.05 * halfWidth, 0.05 * halfWidth);
        Assert.InRange(ours.High95 - reference[2], -0.05 * halfWidth, 0.05 * halfWidth);
        // Same seed, same answer: the seed in results.json reproduces the figure.
        Assert.Equal(ours, PairedTest.Compare(a, b, seed: 9, rounds: 20_000));
    }

    [Fact]
    public void Bottom_k_samples_inside_a_tied_block_instead_of_taking_the_last_columns()
    {
        // 400 neurons over 4 layers; the last 150 in ranking order all score exactly 0, as an L1
        // probe leaves them. Column order would put only layer-3 neurons at the bottom.
        var neurons = Enumerable.Range(0, 400).Select(i => new NeuronRef($"blocks.{i / 100}.mlp.hook_post", i % 100)).ToArray();
        var scores = Enumerable.Range(0, 400).Select(i => i % 8 < 3 ? 0.0 : 1.0 + i).ToArray();
        var ranking = Ranking.FromScores("linear", neurons, scores);
        var bottom = RankingCuts.Bottom(ranking, 50, seed: 3);
        Assert.Equal(50, bottom.Count);
        Assert.Equal(50, bottom.Select(n => n.Column).Distinct().Count());
        Assert.All(bottom, n => Assert.Equal(0.0, n.Score));
        Assert.Equal(4, bottom.Select(n => n.Neuron.HookPoint).Distinct().Count()); // every layer, not the last one
        Assert.Equal(150, RankingCuts.TiedAtCut(ranking, 50, bottom: true));
        Assert.Equal(bottom.Select(n => n.Column), RankingCuts.Bottom(ranking, 50, seed: 3).Select(n => n.Column));
        Assert.NotEqual(bottom.Select(n => n.Column), RankingCuts.Bottom(ranking, 50, seed: 4).Select(n => n.Column));
        // A clean cut is the plain order; the block is kept whole when k passes it.
        Assert.Equal(ranking.TopColumns(20), RankingCuts.Top(ranking, 20, seed: 3).Select(n => n.Column));
        Assert.Equal(1, RankingCuts.TiedAtCut(ranking, 20, bottom: false));
        var bottom200 = RankingCuts.Bottom(ranking, 200, seed: 3);
        Assert.Equal(150, bottom200.Count(n => n.Score == 0));
        Assert.Equal(ranking.BottomColumns(200).Skip(150).Order(), bottom200.Skip(150).Select(n => n.Column).Order());
    }
}

using System.Globalization;
using NeuronHost.Core.Analysis;
using NeuronHost.Plugins.Linear;
using NeuronHost.Plugins.Probeless;
using NeuronHost.Sdk;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Sdk.Statistics;
using NeuronHost.Tests.Common;

namespace NeuronHost.Plugins.Tests;

/// <summary>The random baselines and tests of the grid: the draw test against scipy, the paired
/// test on 0/1 items against the exact binomial sign test, shared random draws across rankings,
/// tie sampling in the SDK's selection, and the minimal-set search that never looks at test.</summary>
public sealed class BaselineStatisticsTests
{
    private static string Py(IEnumerable<double> v) => "[" + string.Join(",", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]";
    private static double[] Numbers(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    [PythonModuleFact("scipy")]
    public void Top_against_the_draws_is_scipys_t_prediction_test()
    {
        double[] draws = [0.412, 0.398, 0.431, 0.405, 0.420, 0.388, 0.415, 0.409, 0.426, 0.401];
        double[] observed = [0.45, 0.41, 0.36, 0.5];
        var summary = SampleSummary.Of(draws);
        var reference = Numbers(PythonReference.RunOrThrow($$"""
            import numpy as np, scipy.stats as st
            x = np.array({{Py(draws)}}); n = len(x)
            print(' '.join(repr(2 * st.t.sf(abs(o - x.mean()) / (x.std(ddof=1) * np.sqrt(1 + 1 / n)), n - 1)) for o in {{Py(observed)}}))
            """));
        for (int i = 0; i < observed.Length; i++)
            Assert.Equal(reference[i], BaselineDraws.PValueAgainstDraws(observed[i], summary), 1e-9);
        Assert.Equal(Enumerable.Range(0, 10).Select(d => 7000UL + (ulong)d), BaselineDraws.Seeds(7, 10));
    }

    [PythonModuleFact("scipy")]
    public void Paired_test_on_right_or_wrong_tokens_matches_the_exact_sign_test()
    {
        // Top right and bottom wrong on 70 tokens, the reverse on 45, both alike on 385: the sign-flip
        // permutation of the differences is the two-sided binomial sign test on the 115 discordant pairs.
        var a = new List<double>(); var b = new List<double>();
        void Add(int n, double x, double y) { for (int i = 0; i < n; i++) { a.Add(x); b.Add(y); } }
        Add(70, 1, 0); Add(45, 0, 1); Add(300, 1, 1); Add(85, 0, 0);
        var ours = PairedTest.Compare(a, b, seed: 3, rounds: 40_000);
        double p = Numbers(PythonReference.RunOrThrow("import scipy.stats as st\nprint(repr(st.binomtest(70, 115, 0.5).pvalue))"))[0];
        Assert.Equal(25.0 / 500, ours.MeanDifference, 1e-12);
        Assert.InRange(ours.PValue - p, -0.006, 0.006);   // Monte Carlo sd ≈ sqrt(p(1−p)/40000) ≈ 0.0012
        Assert.True(ours.Low95 > 0 && p < 0.05);
    }

    [Fact]
    public void Random_draws_are_the_same_neurons_for_every_ranking_and_bottom_samples_ties()
    {
        var neurons = Enumerable.Range(0, 400).Select(i => new NeuronRef($"blocks.{i / 100}.mlp.hook_post", i % 100)).ToArray();
        var a = Ranking.FromScores("a", neurons, Enumerable.Range(0, 400).Select(i => i % 8 < 3 ? 0.0 : 1.0 + i).ToArray());
        var b = Ranking.FromScores("b", neurons, Enumerable.Range(0, 400).Select(i => (double)((i * 37) % 400)).ToArray());
        var ra = NeuronSelection.Pick(a, Selection.Random, 30, 5UL).Select(n => n.Column);
        var rb = NeuronSelection.Pick(b, Selection.Random, 30, 5UL).Select(n => n.Column);
        Assert.Equal(ra, rb);
        Assert.NotEqual(ra, NeuronSelection.Pick(a, Selection.Random, 30, 6UL).Select(n => n.Column));
        var bottom = NeuronSelection.Pick(a, Selection.Bottom, 50, 1);
        Assert.All(bottom, n => Assert.Equal(0.0, n.Score));
        Assert.Equal(4, bottom.Select(n => n.Neuron.Layer).Distinct().Count());   // column order would give layer 3 only
    }

    [Fact]
    public void Minimal_set_binary_search_finds_the_first_k_over_the_target_with_few_probes()
    {
        // dev accuracy 1 − 0.5·exp(−k/40): reaches 0.9 first at k = ceil(40·ln 5) = 65 (closed form)
        static SplitAccuracies Acc(int k) => new(double.NaN, 1 - 0.5 * Math.Exp(-k / 40.0), 0.1);
        var neurons = Enumerable.Range(0, 1000).Select(i => new NeuronRef("blocks.0.mlp.hook_post", i)).ToArray();
        var ranking = Ranking.FromScores("r", neurons, Enumerable.Range(0, 1000).Select(i => 1000.0 - i).ToArray());
        int calls = 0;
        var search = new MinimalNeuronSet.Search(ranking, "p", 1000, k => { calls++; return Acc(k); }, [(10, Acc(10)), (100, Acc(100))]);
        Assert.Equal((int)Math.Ceiling(40 * Math.Log(5)), search.Smallest(0.9));
        Assert.True(calls <= 7, $"{calls} probes for a bracket of 90 k values");
        Assert.Equal(-1, search.Smallest(1.01));
    }

    /// <summary>The dev/test separation: scrambling every test label changes the test accuracies
    /// the grid reports but not one k it chose (minimal sets and oracle fractions).</summary>
    [Fact]
    public void Test_labels_do_not_influence_the_chosen_k()
    {
        var full = TestData.Probing(1200, 900, 40, 4, seed: 8, informative: 8, signal: 0.9);
        var dev = new DataSplit(Slice(full.Dev!.Activations, 0, 450), full.Dev.Labels[..450]);
        var test = new DataSplit(Slice(full.Dev.Activations, 450, 450), full.Dev.Labels[450..]);
        var data = full with { Dev = dev, Test = test };
        var scrambled = data with { Test = test with { Labels = test.Labels.ToArray().Select(y => (y + 1) % 4).ToArray() } };
        GridResult Run(ProbingData d) => ProbeRankingGrid.Run(
            new GridOptions { KValues = [1, 4, 16], RandomDraws = 10, MinimalSetMargin = 0.02, OracleFractions = [0.8, 0.95] }, d,
            [new ProbelessRanking()], [new LinearProbe()], TestData.Context(4));
        var clean = Run(data); var noisy = Run(scrambled);

        var set = clean.MinimalSets.Single();
        Assert.Equal("dev", set.SelectedOn);
        Assert.InRange(set.Size, 1, 40);
        Assert.Equal(set.Size, noisy.MinimalSets.Single().Size);
        Assert.Equal(clean.OracleFractions.Select(f => f.K), noisy.OracleFractions.Select(f => f.K));
        Assert.True(set.Accuracy > noisy.MinimalSets.Single().Accuracy + 0.3, $"test {set.Accuracy} vs scrambled {noisy.MinimalSets.Single().Accuracy}");
        // The search is more than the k grid: its chosen k is usually off the grid, and it evaluated
        // k values between the grid's.
        Assert.Contains(set.Evaluated, k => k is not (1 or 4 or 16 or 40));
        // Ten random draws per k, each seeded and recorded; a paired test per comparison.
        Assert.All(clean.RandomBaselines, b => Assert.Equal(10, b.Draws.Count));
        Assert.Equal(BaselineDraws.Seeds(4, 10), clean.RandomSeeds);
        Assert.Equal(3, clean.Comparisons.Count(c => c.Kind == ComparisonKind.TopVsRandom));
        Assert.All(clean.Comparisons, c => Assert.Equal(450, c.Paired.N));
        foreach (var c in clean.Comparisons.Where(c => c.Kind == ComparisonKind.TopVsRandom))
        {
            var b = clean.RandomBaselines.Single(x => x.K == c.K);
            double top = clean.Cell("probeless", "top", "linear-probe", c.K)!.Task.Test;
            Assert.Equal(top - b.HeldOut.Mean, c.Paired.MeanDifference, 1e-9);   // mean of per-token differences = difference of accuracies
        }
    }

    private static DenseActivationMatrix Slice(IActivationMatrix m, int start, int rows)
    {
        var all = m.ToArray();
        int cols = m.Columns;
        return new DenseActivationMatrix(all.AsMemory(start * cols, rows * cols), rows, m.Neurons);
    }
}

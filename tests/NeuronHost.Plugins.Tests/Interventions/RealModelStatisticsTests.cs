using System.Globalization;
using NeuronHost.Core.Analysis;
using NeuronHost.Plugins.Interventions.Ablation;
using NeuronHost.Plugins.Linear;
using NeuronHost.Plugins.Probeless;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Plugins.Tests.Interventions;

/// <summary>The random baselines with their intervals on the real gpt2-mini-brown and EWT: the
/// grid's ten random-k draws and the ablation's ten random sets, each interval checked against
/// scipy's t-interval of the same draws, the comparisons present, the minimal set chosen on dev.</summary>
public sealed class RealModelStatisticsTests(RealModelFixture fx, ITestOutputHelper output) : IClassFixture<RealModelFixture>
{
    private static readonly string[] TwoLayers = [HookPoints.MlpPost(1), HookPoints.MlpPost(2)];
    private static string Py(IEnumerable<double> v) => "[" + string.Join(",", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private static double[] ScipyInterval(IEnumerable<double> draws) => PythonReference.RunOrThrow($$"""
        import numpy as np, scipy.stats as st
        x = np.array({{Py(draws)}})
        lo, hi = st.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=st.sem(x))
        print(repr(x.mean()), repr(lo), repr(hi))
        """).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    [SharedPythonFact("scipy")]
    public void Grid_and_ablation_report_ten_draw_intervals_and_paired_tests_on_gpt2_mini_and_ewt()
    {
        Sentences(out var train, out var dev, out var test);
        var data = fx.TaskData("upos", TwoLayers, train, dev, test);
        output.WriteLine($"{data.Train.Tokens} train / {data.Dev!.Tokens} dev / {data.Test!.Tokens} test tokens, {data.ClassCount} classes, {data.Neurons.Count} neurons");
        var context = new PluginContext(fx.Kernels) { Seed = 3 };
        var grid = ProbeRankingGrid.Run(new GridOptions { KValues = [10, 50], RandomDraws = 10, Bottom = true, MinimalSetMargin = 0.03, OracleFractions = [0.9] },
            data, [new ProbelessRanking()], [new LinearProbe { MaxIterations = 100 }], context);
        Assert.Empty(grid.Failures);
        foreach (var b in grid.RandomBaselines)
        {
            var reference = ScipyInterval(b.Draws.Select(x => x.Task.Test));
            output.WriteLine($"random k={b.K}: {b.HeldOut}");
            Assert.Equal(10, b.HeldOut.N);
            Assert.Equal(reference[0], b.HeldOut.Mean, 1e-12);
            Assert.Equal(reference[1], b.HeldOut.Low95, 1e-9);
            Assert.Equal(reference[2], b.HeldOut.High95, 1e-9);
        }
        foreach (var c in grid.Comparisons)
        {
            output.WriteLine($"{c.Kind} k={c.K} {c.A} vs {c.B}: Δ {c.Paired.MeanDifference:+0.000;-0.000} [{c.Paired.Low95:+0.000;-0.000}, {c.Paired.High95:+0.000;-0.000}] p = {c.Paired.PValue:0.0000}, draw p = {c.DrawPValue:0.0000}, distinguishable {c.Distinguishable()}");
            Assert.Equal(data.Test.Tokens, c.Paired.N);
            Assert.InRange(c.Paired.PValue, 0, 1);
            Assert.True(c.Paired.Low95 <= c.Paired.MeanDifference && c.Paired.MeanDifference <= c.Paired.High95);
        }
        Assert.Equal(2, grid.Comparisons.Count(c => c.Kind == ComparisonKind.TopVsRandom));
        var set = grid.MinimalSets.Single();
        output.WriteLine($"minimal set: {set.Size} neurons chosen on {set.SelectedOn} ({set.SelectionAccuracy:0.000} vs oracle {set.OracleSelectionAccuracy:0.000}), test {set.Accuracy:0.000} (oracle {set.OracleAccuracy:0.000}), control {set.ControlAccuracy:0.000}; evaluated k = {string.Join(", ", set.Evaluated)}");
        Assert.Equal("dev", set.SelectedOn);
        if (set.Size > 0) Assert.True(set.SelectionAccuracy >= set.OracleSelectionAccuracy - 0.03);

        // Ablation of 50 neurons: ten random sets, their interval, the per-sentence paired tests.
        var ranking = grid.Rankings.Single();
        var report = new AblationIntervention { Ks = [50], MaxSentences = 30, RandomDraws = 10 }
            .Run(new InterventionRequest(fx.Model) { Rankings = [ranking], Data = data, Sentences = test }, context);
        var rows = report.Tables.Single(t => t.Name == "ablation").Rows;
        var draws = report.Tables.Single(t => t.Name == "ablation_random_draws").Rows.Select(r => (double)r[5]).ToArray();
        var random = rows.Single(r => (string)r[1] == "random");
        var expected = ScipyInterval(draws);
        Assert.Equal(10, draws.Length);
        Assert.Equal(10, (int)random[8]);
        Assert.Equal(expected[0], (double)random[5], 1e-12);
        Assert.Equal(expected[1], (double)random[10], 1e-9);
        Assert.Equal(expected[2], (double)random[11], 1e-9);
        foreach (var r in rows) output.WriteLine(string.Join(" ", r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
        foreach (var c in report.Tables.Single(t => t.Name == "ablation_comparisons").Rows)
        {
            output.WriteLine(string.Join(" ", c.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
            Assert.InRange((double)c[7], 0, 1);
            Assert.Equal(30, (int)c[3]);
        }
        // Per-sentence items average to the token-weighted metric: top's Δ equals its paired mean vs clean.
        double topDelta = (double)rows.Single(r => (string)r[1] == "top")[5];
        var vsRandom = report.Tables.Single(t => t.Name == "ablation_comparisons").Rows.Single(r => (string)r[2] == "top_vs_random");
        Assert.Equal(topDelta - expected[0], (double)vsRandom[4], 1e-9);
    }

    private void Sentences(out AnnotatedSentence[] train, out AnnotatedSentence[] dev, out AnnotatedSentence[] test)
    {
        train = fx.Ewt.Split("train")!.Sentences.Take(150).Select(s => s.Annotated).ToArray();
        dev = fx.Ewt.Split("dev")!.Sentences.Take(60).Select(s => s.Annotated).ToArray();
        test = fx.Ewt.Split("test")!.Sentences.Take(60).Select(s => s.Annotated).ToArray();
    }
}

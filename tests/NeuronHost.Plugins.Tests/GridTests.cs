using System.Text.Json;
using NeuronHost.Core.Analysis;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Plugins.Gaussian;
using NeuronHost.Plugins.Linear;
using NeuronHost.Plugins.Probeless;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Tests;

public class GridTests
{
    private sealed class ListLog : IPluginLog
    {
        public List<string> Lines { get; } = [];
        public void Info(string message) => Lines.Add(message);
        public void Warn(string message) => Lines.Add(message);
    }

    /// <summary>Synthetic task whose signal lives in neurons 0..7 of 40: the grid must see that
    /// top-k beats random-k beats bottom-k, a positive selectivity, and a small minimal set.</summary>
    [Fact]
    public void GridOrdersSelectionsAndWritesFiles()
    {
        var data = TestData.Probing(1500, 600, 40, 4, seed: 21, informative: 8, signal: 0.9);
        // word forms: 300 types, each type keeps one class (so the control task is learnable only by memorising)
        var rng = new Random(3);
        string[] Words(DataSplit s) => s.Labels.ToArray().Select(y => $"w{y}_{rng.Next(75)}").ToArray();
        data = data with { Train = data.Train with { Words = Words(data.Train) }, Dev = data.Dev! with { Words = Words(data.Dev!) } };
        data = data with { Test = data.Dev };
        var log = new ListLog();
        var context = new PluginContext(new CpuKernels()) { Log = log, Seed = 5 };
        var options = new GridOptions { KValues = [1, 2, 5, 10, 50], Control = ControlTask.Build(data, 7), MinimalSetMargin = 0.02 };
        var result = ProbeRankingGrid.Run(options, data,
            [new LinearRanking { Ordering = LinearOrdering.Pitfalls }, new ProbelessRanking(), new GaussianRanking { MaxNeurons = 12 }],
            [new LinearProbe(), new GaussianProbe()], context);

        Assert.Empty(result.Failures);
        Assert.Contains(log.Lines, l => l.Contains("k = 50 exceed the 40 neurons"));
        Assert.DoesNotContain(result.Cells, c => c.K == 50);
        Assert.Equal(3 * 2 * 2 * 4 + 2 * 4, result.Cells.Count);   // (3 rankings × top/bottom + random) × probes × ks
        foreach (var r in result.Rankings) Assert.True(r.Order.Take(8).Count(n => n.Column < 8) >= 6, $"{r.Method}: {string.Join(",", r.Order.Take(8).Select(n => n.Column))}");
        foreach (string ranking in new[] { "linear", "probeless", "gaussian" })
            foreach (int k in new[] { 2, 5 })
            {
                double top = result.Cell(ranking, "top", "linear-probe", k)!.Task.Test;
                double random = result.Cell("random", "random", "linear-probe", k)!.Task.Test;
                double bottom = result.Cell(ranking, "bottom", "linear-probe", k)!.Task.Test;
                Assert.True(top > random && random >= bottom - 0.02, $"{ranking} k={k}: top {top:P1} random {random:P1} bottom {bottom:P1}");
            }
        var oracle = result.Oracles.Single(o => o.Probe == "linear-probe");
        Assert.True(oracle.Task.Test > result.MajorityBaseline.Test + 0.2, $"oracle {oracle.Task.Test:P1} vs majority {result.MajorityBaseline.Test:P1}");
        Assert.True(oracle.Selectivity > 0.05, $"selectivity {oracle.Selectivity:P1}");
        var minimal = result.MinimalSets.Single(m => m.Ranking == "linear" && m.Probe == "linear-probe");
        Assert.InRange(minimal.Size, 1, 40);
        Assert.Equal(minimal.Size, minimal.LayerCounts.Values.Sum());

        var dir = TestData.TempDir("grid");
        var files = GridResultWriter.Write(result, dir);
        // The CSVs `run` writes, under the same names: grid.json, rankings, accuracy, oracle, minimal sets and their layers.
        string[] names = files.Select(f => Path.GetFileName(f) ?? "").ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        Assert.Equal(new[] { "accuracy.csv", "grid.json", "minimal_set_layers.csv", "minimal_sets.csv", "oracle.csv", "rankings.csv" }, names);
        var csv = File.ReadAllLines(Path.Combine(dir, "accuracy.csv"));
        Assert.Equal("ranking,probe,selection,k,train_accuracy,dev_accuracy,test_accuracy,control_accuracy,selectivity", csv[0]);
        Assert.Equal(1 + result.Cells.Count, csv.Length);
        Assert.All(csv.Skip(1), line => Assert.Equal(9, line.Split(',').Length));
        Assert.Equal(1 + result.Oracles.Count, File.ReadAllLines(Path.Combine(dir, "oracle.csv")).Length);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "grid.json")));
        Assert.Equal(40, json.RootElement.GetProperty("rankings")[0].GetProperty("neurons").GetArrayLength());
        Assert.Equal(result.Cells.Count, json.RootElement.GetProperty("cells").GetArrayLength());
        Assert.Equal(1 + 3 * 40, File.ReadAllLines(Path.Combine(dir, "rankings.csv")).Length);
    }

    [Fact]
    public void RankingFailureIsRecordedAndProbeFailureNamed()
    {
        var data = TestData.Probing(300, 100, 6, 3, seed: 2);
        var context = new PluginContext(new CpuKernels());
        var result = ProbeRankingGrid.Run(new GridOptions { KValues = [2], Oracle = false, Bottom = false }, data,
            [new ProbelessRanking { Tag = "missing" }, new ProbelessRanking()], [new LinearProbe()], context);
        Assert.Single(result.Failures);
        Assert.Equal("probeless", result.Failures[0].Plugin);
        Assert.Contains("no class 'missing'", result.Failures[0].Message);

        // A probe that fails is recorded too (kind, name, reason); the grid still returns.
        var oneClass = data with { Train = data.Train with { Labels = new int[300] } };
        var failed = ProbeRankingGrid.Run(new GridOptions { KValues = [2], Random = true }, oneClass, [], [new LinearProbe()], context);
        var probeFailure = Assert.Single(failed.Failures);
        Assert.Equal(("linear-probe", PluginKind.Probe), (probeFailure.Plugin, probeFailure.Kind));
        Assert.Contains("probe 'linear-probe'", probeFailure.Message);
        Assert.Contains("1 distinct class", probeFailure.Message);
        Assert.Empty(failed.Cells);

        var badControl = new GridOptions { Control = new ControlLabels(data.ClassNames, new int[10]) };
        var e2 = Assert.Throws<GridException>(() => ProbeRankingGrid.Run(badControl, data, [], [new LinearProbe()], context));
        Assert.Contains("control labels for train have 10 entries", e2.Message);
    }

    /// <summary>A cooperative cancel during the second ranking keeps the first one: the grid
    /// returns it, marked cancelled, instead of throwing everything away.</summary>
    [Fact]
    public void CancelKeepsTheRankingsThatFinished()
    {
        var data = TestData.Probing(300, 100, 6, 3, seed: 2);
        using var cts = new CancellationTokenSource();
        var context = new PluginContext(new CpuKernels()) { Cancellation = cts.Token };
        var result = ProbeRankingGrid.Run(new GridOptions { KValues = [2] }, data,
            [new ProbelessRanking(), new CancellingRanking(cts)], [new LinearProbe()], context);
        Assert.True(result.Cancelled);
        Assert.Equal(["probeless"], result.Rankings.Select(r => r.Method));
        // Probeless' order is its class-mean differences, computed here independently.
        var reference = ClassMeanDifferences(data.Train.Activations.ToArray(), data.Train.Labels.ToArray(), data.ClassCount, data.Neurons.Count);
        Assert.Equal(Enumerable.Range(0, reference.Length).OrderByDescending(i => reference[i]).ThenBy(i => i), result.Rankings[0].TopColumns(reference.Length));
        Assert.Empty(result.Cells);
    }

    /// <summary>Σ over class pairs z &lt; z′ of |q(z)_j − q(z′)_j| with naive loops.</summary>
    private static double[] ClassMeanDifferences(float[] x, int[] y, int classes, int d)
    {
        var mean = new double[classes, d]; var count = new int[classes];
        for (int i = 0; i < y.Length; i++) { count[y[i]]++; for (int j = 0; j < d; j++) mean[y[i], j] += x[i * d + j]; }
        var score = new double[d];
        for (int j = 0; j < d; j++)
            for (int a = 0; a < classes; a++)
                for (int b = a + 1; b < classes; b++)
                    score[j] += Math.Abs(mean[a, j] / count[a] - mean[b, j] / count[b]);
        return score;
    }

    private sealed class CancellingRanking(CancellationTokenSource cts) : IRankingMethod
    {
        public PluginInfo Info => new("cancelling", PluginKind.Ranking, "cancels the run", new Version(1, 0));
        public Ranking Rank(RankingRequest request, IPluginContext context)
        {
            cts.Cancel();
            context.Cancellation.ThrowIfCancellationRequested();
            throw new InvalidOperationException("unreachable");
        }
    }

    /// <summary>A probe with a neuron limit (the Gaussian probe's max-neurons) is not run beyond it:
    /// those k and its all-neuron oracle are skipped with a warning, the other probe runs them all,
    /// and training it directly on too many neurons is refused with the parameter named.</summary>
    [Fact]
    public void ProbeNeuronLimitSkipsLargeKAndTheOracle()
    {
        var data = TestData.Probing(400, 150, 30, 3, seed: 4, informative: 5, signal: 0.8);
        var log = new ListLog();
        var context = new PluginContext(new CpuKernels()) { Log = log, Seed = 2 };
        var gaussian = new GaussianProbe { MaxNeurons = 10 };
        var result = ProbeRankingGrid.Run(new GridOptions { KValues = [2, 10, 20], Bottom = false }, data,
            [new ProbelessRanking()], [new LinearProbe(), gaussian], context);

        Assert.Equal([2, 2, 10, 10, 20, 20], result.Cells.Where(c => c.Probe == "linear-probe").Select(c => c.K).Order().ToArray());
        Assert.Equal([2, 2, 10, 10], result.Cells.Where(c => c.Probe == "gaussian-probe").Select(c => c.K).Order().ToArray());
        Assert.Equal(["linear-probe"], result.Oracles.Select(o => o.Probe).ToArray());
        Assert.Contains(log.Lines, l => l.Contains("'gaussian-probe' trains on at most 10 neurons; k = 20 skipped"));
        Assert.Contains(log.Lines, l => l.Contains("no all-neuron oracle for 'gaussian-probe': 30 neurons exceed its limit of 10"));
        Assert.DoesNotContain(result.MinimalSets, m => m.Probe == "gaussian-probe");

        var e = Assert.Throws<PluginInputException>(() => gaussian.Train(data, Enumerable.Range(0, 11).ToArray(), context));
        Assert.Contains("11 neurons exceeds max-neurons = 10", e.Message);
    }

    /// <summary>A probe scored where its rows are (a cluster's silos) returns accuracies and the
    /// held-out right/wrong instead of predictions: the grid checks them as it checks a local
    /// probe's predictions. An accuracy outside [0, 1], one for a split without rows, or a
    /// right/wrong list of another length fails the probe with one line; sound scores are used as given.</summary>
    [Theory]
    [InlineData(1.5, 0.5, 100, "returned a test accuracy of 1.5 for the 100 tokens of the test split")]
    [InlineData(0.7, double.NaN, 100, "returned a dev accuracy of NaN for the 100 tokens of the dev split")]
    [InlineData(0.7, 0.5, 99, "returned 99 held-out results for the 100 held-out tokens")]
    [InlineData(0.7, 0.5, 100, null)]
    public void Scores_of_a_probe_that_runs_where_its_rows_are_are_checked_like_predictions(double test, double dev, int heldOut, string? failure)
    {
        var data = TestData.Probing(300, 100, 10, 3, seed: 2);
        data = data with { Test = data.Dev };
        var probe = new HeldScoresProbe(new SplitAccuracies(0.9, dev, test), heldOut);
        var result = ProbeRankingGrid.Run(new GridOptions { KValues = [1, 2], RandomDraws = 2 }, data, [new ProbelessRanking()], [probe],
            new PluginContext(new CpuKernels()) { Seed = 1 });
        if (failure is null)
        {
            Assert.Empty(result.Failures);
            Assert.All(result.Cells, c => Assert.Equal(0.7, c.Task.Test));
        }
        else
        {
            var f = Assert.Single(result.Failures);
            Assert.Equal("held-fake", f.Plugin);
            Assert.EndsWith(failure, f.Message);
            Assert.Empty(result.Cells);
        }
    }

    private sealed class HeldScoresProbe(SplitAccuracies scores, int heldOut) : IProbe, IHeldRowsProbe
    {
        public PluginInfo Info { get; } = new("held-fake", PluginKind.Probe, "scores sent back by holders of the rows", new Version(1, 0));
        public ITrainedProbe Train(ProbingData data, IReadOnlyList<int> columns, IPluginContext context) =>
            throw new InvalidOperationException("the rows are elsewhere");
        public (SplitAccuracies Accuracies, bool[] HeldOutCorrect) EvaluateItems(ProbingData data, int[] columns, IPluginContext context) =>
            (scores, new bool[heldOut]);
    }
}

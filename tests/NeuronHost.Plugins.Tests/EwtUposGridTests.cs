using NeuronHost.Core.Analysis;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Plugins.Gaussian;
using NeuronHost.Plugins.Linear;
using NeuronHost.Plugins.Probeless;
using NeuronHost.Runtime.Models;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Plugins.Tests;

/// <summary>The grid on real activations: UPOS on a slice of UD English-EWT, FFN neurons of two
/// layers of gpt2-mini-brown. What the literature leads one to expect (Dalvi 2019, Durrani 2020,
/// Antverg &amp; Belinkov 2022): the all-neuron linear probe far above the majority class; top-k
/// above random-k above bottom-k for small k; the task more learnable than its control task.</summary>
public class EwtUposGridTests(ITestOutputHelper output)
{
    [SharedFact]
    public void UposGridOnGpt2MiniBrownBehavesAsInTheLiterature()
    {
        string storeDir = EwtUposSlice.StoreDir;
        using var store = EwtUposSlice.Open(new FileProgress(storeDir + ".log"));
        var task = StoreTaskData.Build(store, TaskSpec.Upos, new TaskOptions { MinCount = 20, Control = true, Seed = 3 });
        var data = task.Data;
        var control = task.Control!;
        output.WriteLine($"{data.Train.Tokens} train / {data.Dev?.Tokens} dev / {data.Test?.Tokens} test tokens, {data.ClassCount} classes, {data.Neurons.Count} neurons");

        var context = new PluginContext(new CpuKernels()) { Seed = 11, Progress = new FileProgress(storeDir + ".log") };
        var options = new GridOptions
        {
            KValues = [5, 10, 20, 50],
            Control = new ControlLabels(control.ClassNames, control.Train.Labels, control.Dev?.Labels, control.Test?.Labels),
            MinimalSetMargin = 0.02,
        };
        var probe = new LinearProbe { Tolerance = 1e-4, MaxIterations = 200 };
        var result = ProbeRankingGrid.Run(options, data,
            [new LinearRanking { Ordering = LinearOrdering.Pitfalls, MaxIterations = 200 }, new ProbelessRanking(),
             new GaussianRanking { MaxNeurons = 50, MaxSelectionTokens = 1500 }],
            [probe], context);
        foreach (var line in GridResultWriter.AccuraciesCsv(result).Split('\n')) output.WriteLine(line);
        foreach (var m in result.MinimalSets) output.WriteLine($"minimal set {m.Ranking}: {m.Size} ({string.Join(' ', m.LayerCounts.Select(kv => $"L{kv.Key}:{kv.Value}"))})");

        Assert.Empty(result.Failures);
        var oracle = result.Oracles.Single();
        Assert.True(oracle.Task.Test > result.MajorityBaseline.Test + 0.4,
            $"all-neuron probe {oracle.Task.Test:P1} vs majority class {result.MajorityBaseline.Test:P1}");
        Assert.True(oracle.Selectivity > 0, $"oracle selectivity {oracle.Selectivity:P1}");
        // Linear and Probeless: top-k > random-k and > bottom-k for every k ≤ 50, random-k >
        // bottom-k (probeless) from k = 10 (at k = 5 one random draw is within noise of the bottom: measured
        // 24.1 % vs 25.2 % for linear's zero-weight bottom), and the top-k selective.
        foreach (var ranking in new[] { "linear", "probeless" })
            foreach (int k in new[] { 5, 10, 20, 50 })
            {
                var top = result.Cell(ranking, "top", "linear-probe", k)!;
                double random = result.Cell("random", "random", "linear-probe", k)!.Task.Test;
                double bottom = result.Cell(ranking, "bottom", "linear-probe", k)!.Task.Test;
                Assert.True(top.Task.Test > random, $"{ranking} k={k}: top {top.Task.Test:P1} ≤ random {random:P1}");
                Assert.True(top.Task.Test > bottom, $"{ranking} k={k}: top {top.Task.Test:P1} ≤ bottom {bottom:P1}");
                // Only where the bottom is an order: linear's bottom is a block of ~1,100 tied zero
                // weights, of which bottom-k is a seeded sample from every layer, so it need not be
                // worse than random (the summary flags the tie instead).
                if (k >= 10 && ranking == "probeless") Assert.True(random > bottom, $"{ranking} k={k}: random {random:P1} ≤ bottom {bottom:P1}");
                Assert.True(top.Selectivity > 0, $"{ranking} k={k}: selectivity {top.Selectivity:P1}");
            }
        // Gaussian-selected neurons judged by the linear probe (Pitfalls: "probe quality is not
        // ranking quality"): measured here, they beat random only at the smallest k (at k = 20, 50
        // the linear probe does better on random neurons), but always beat the bottom of the same
        // ranking and stay selective.
        foreach (int k in new[] { 5, 10, 20, 50 })
        {
            var top = result.Cell("gaussian", "top", "linear-probe", k)!;
            double bottom = result.Cell("gaussian", "bottom", "linear-probe", k)!.Task.Test;
            Assert.True(top.Task.Test > bottom, $"gaussian k={k}: top {top.Task.Test:P1} ≤ bottom {bottom:P1}");
            Assert.True(top.Selectivity > 0, $"gaussian k={k}: selectivity {top.Selectivity:P1}");
        }
        Assert.True(result.Cell("gaussian", "top", "linear-probe", 5)!.Task.Test > result.Cell("random", "random", "linear-probe", 5)!.Task.Test);
    }

    /// <summary>Progress appended to a log beside the store (this test is long on a busy machine).</summary>
    internal sealed class FileProgress(string path) : IProgress<ProgressReport>
    {
        private DateTime last;
        public void Report(ProgressReport value)
        {
            if (DateTime.UtcNow - last < TimeSpan.FromSeconds(5) && value.Done < value.Total) return;
            last = DateTime.UtcNow;
            lock (this) File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss} {value.Stage} {value.Done}/{value.Total} {value.Unit}\n");
        }
    }
}

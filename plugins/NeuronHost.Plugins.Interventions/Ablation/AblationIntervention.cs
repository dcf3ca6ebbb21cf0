using NeuronHost.Plugins.Interventions.Common;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Sdk;
using NeuronHost.Sdk.Statistics;

namespace NeuronHost.Plugins.Interventions.Ablation;

/// <summary>Dalvi et al. 2019 / Pitfalls ablation: silence the top, random or bottom k neurons of
/// each ranking inside the running model (every token of held-out text) and measure how much
/// worse it predicts the text — or, for a sentence encoder, how far its embeddings move — and,
/// when a trained probe is given, how much its accuracy drops with those inputs ablated.</summary>
public sealed class AblationIntervention : IIntervention
{
    public PluginInfo Info { get; } = new("ablation", PluginKind.Intervention,
        "Ablate top/random/bottom-k neurons of each ranking; LM loss (or embedding shift) and probe accuracy vs k",
        new Version(1, 0));

    [PluginParameter("numbers of neurons to ablate", Min = 1)]
    public int[] Ks { get; set; } = [1, 5, 10, 20, 50, 100];

    [PluginParameter("value ablated neurons get: zero or their training mean")]
    public AblationValue Value { get; set; } = AblationValue.Zero;

    [PluginParameter("held-out sentences scored per setting", Min = 1)]
    public int MaxSentences { get; set; } = 200;

    [PluginParameter("seed of the random-k baseline (draw d uses seed·1000 + d)")]
    public int Seed { get; set; } = 1;

    [PluginParameter("seeded random-k draws per k (mean, sd and 95% interval; 10 or more)", Min = 1)]
    public int RandomDraws { get; set; } = BaselineDraws.Minimum;

    [PluginParameter("bootstrap resamples and permutations of each paired test", Min = 100)]
    public int TestRounds { get; set; } = 2000;

    public InterventionReport Run(InterventionRequest request, IPluginContext context)
    {
        if (request.Rankings.Count == 0) throw new PluginInputException("ablation: no ranking to take neurons from");
        if (request.Sentences.Count == 0) throw new PluginInputException("ablation: no held-out sentences to score");
        foreach (var ranking in request.Rankings) NeuronSelection.CheckAgainstModel(ranking, request.Model.Info, Info.Name);
        var ks = Ks.Where(k => k > 0).Distinct().Order().ToArray();
        if (ks.Length == 0) throw new PluginInputException("ablation: ks must contain a positive number");

        var means = Value == AblationValue.Mean ? TrainingMeans(request, context) : null;
        var texts = request.Sentences.Select(s => s.Text).ToArray();
        var metric = OutputMetric.Create(request.Model, texts, MaxSentences, Info.Name, context.Cancellation);

        var rows = new List<IReadOnlyList<object>>();
        var drawRows = new List<IReadOnlyList<object>>();
        var comparisons = new List<IReadOnlyList<object>>();
        var cleanItems = metric.MeasureItems([]);
        double clean = cleanItems.Average();
        double cleanProbe = ProbeAccuracy(request, [], means);
        var seeds = BaselineDraws.Seeds(Seed, RandomDraws);
        int total = request.Rankings.Count * (2 + seeds.Length) * ks.Length, done = 0;
        // Random draws pick from the neurons in column order, so rankings over the same neurons share them.
        var randomCache = new Dictionary<(string Neurons, int K, int Draw), (double[] Items, double Probe)>();
        (double[] Items, double Value, double Probe) Ablate(IReadOnlyList<RankedNeuron> neurons)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var edits = Value == AblationValue.Zero
                ? NeuronSelection.Edits(neurons, EditOp.Zero, null)
                : NeuronSelection.Edits(neurons, EditOp.Set, n => (float)means![n.Column]);
            var items = metric.MeasureItems(edits);
            return (items, items.Average(), ProbeAccuracy(request, neurons, means));
        }
        IReadOnlyList<object> Row(string ranking, string selection, int k, double value, double probe, int draws, SampleSummary? spread) =>
            [ranking, selection, k, metric.Name, value, value - clean, probe, probe - cleanProbe, draws,
             spread?.Sd ?? double.NaN, spread?.Low95 ?? double.NaN, spread?.High95 ?? double.NaN];
        foreach (var ranking in request.Rankings)
        {
            string neuronSet = string.Join(",", ranking.Order.Select(n => n.Neuron.ToString()).Order());
            foreach (int k in ks.Where(k => k <= ranking.Order.Count))
            {
                var top = Ablate(NeuronSelection.Pick(ranking, Selection.Top, k, Seed));
                rows.Add(Row(ranking.Method, "top", k, top.Value, top.Probe, 1, null));
                context.Progress.Report(new ProgressReport("ablation", ++done, total, "settings"));

                var draws = new List<(double[] Items, double Probe)>();
                for (int d = 0; d < seeds.Length; d++)
                {
                    if (!randomCache.TryGetValue((neuronSet, k, d), out var draw))
                    {
                        var result = Ablate(NeuronSelection.Pick(ranking, Selection.Random, k, seeds[d]));
                        randomCache[(neuronSet, k, d)] = draw = (result.Items, result.Probe);
                    }
                    draws.Add(draw);
                    double v = draw.Items.Average();
                    drawRows.Add([ranking.Method, k, d, (double)seeds[d], v, v - clean]);
                    context.Progress.Report(new ProgressReport("ablation", ++done, total, "settings"));
                }
                var drawDeltas = draws.Select(x => x.Items.Average() - clean).ToArray();
                var spread = SampleSummary.Of(drawDeltas);
                rows.Add(Row(ranking.Method, "random", k, spread.Mean + clean, draws.Select(x => x.Probe).Average(), draws.Count, spread));

                var bottom = Ablate(NeuronSelection.Pick(ranking, Selection.Bottom, k, Seed));
                rows.Add(Row(ranking.Method, "bottom", k, bottom.Value, bottom.Probe, 1, null));
                context.Progress.Report(new ProgressReport("ablation", ++done, total, "settings"));

                comparisons.Add(SelectionStatistics.VersusRandom(ranking.Method, k, top.Items, draws.Select(x => x.Items).ToArray(),
                    top.Value - clean, drawDeltas, (ulong)Seed, TestRounds));
                comparisons.Add(SelectionStatistics.VersusBottom(ranking.Method, k, top.Items, bottom.Items, (ulong)Seed, TestRounds));
            }
        }

        var summary = new Dictionary<string, double>
        {
            [$"clean_{metric.Name}"] = clean, ["sentences"] = metric.Sentences, ["random_draws"] = seeds.Length, ["seed"] = Seed,
        };
        if (!double.IsNaN(cleanProbe)) summary["clean_probe_accuracy"] = cleanProbe;
        foreach (var ranking in request.Rankings)
        {
            int kMax = ks.Where(k => k <= ranking.Order.Count).DefaultIfEmpty(0).Max();
            foreach (var row in rows.Where(r => (string)r[0] == ranking.Method && (int)r[2] == kMax))
                summary[$"{ranking.Method}_{row[1]}_k{kMax}_delta_{metric.Name}"] = (double)row[5];
            if (rows.FirstOrDefault(r => (string)r[0] == ranking.Method && (int)r[2] == kMax && (string)r[1] == "random") is { } random)
            {
                summary[$"{ranking.Method}_random_k{kMax}_delta_{metric.Name}_sd"] = (double)random[9];
                summary[$"{ranking.Method}_random_k{kMax}_delta_{metric.Name}_low95"] = (double)random[10];
                summary[$"{ranking.Method}_random_k{kMax}_delta_{metric.Name}_high95"] = (double)random[11];
            }
            if (comparisons.FirstOrDefault(r => (string)r[0] == ranking.Method && (int)r[1] == kMax && (string)r[2] == SelectionStatistics.TopVsRandom) is { } c)
                summary[$"{ranking.Method}_top_vs_random_k{kMax}_p"] = Math.Max((double)c[7], (double)c[8]);
        }
        return new InterventionReport(Info.Name, summary,
        [
            new ResultTable("ablation",
                ["ranking", "selection", "k", "metric", "value", "delta", "probe_accuracy", "probe_delta", "draws", "delta_sd", "delta_low95", "delta_high95"], rows),
            new ResultTable("ablation_random_draws", ["ranking", "k", "draw", "seed", "value", "delta"], drawRows),
            new ResultTable("ablation_comparisons", SelectionStatistics.ComparisonColumns, comparisons),
        ]);
    }

    /// <summary>Mean activation of every data column over the training split.</summary>
    private static double[] TrainingMeans(InterventionRequest request, IPluginContext context)
    {
        var data = request.Data ?? throw new PluginInputException("ablation: mean ablation needs the stored activations (Data)");
        var moments = context.Kernels.ClassMoments(data.Train.Activations, data.Train.Labels, data.ClassCount, context.Cancellation);
        return moments.OverallMean;
    }

    /// <summary>Accuracy of the given probe on the test (else dev) split with the neurons' columns
    /// ablated in its input; NaN when there is no probe.</summary>
    private static double ProbeAccuracy(InterventionRequest request, IReadOnlyList<RankedNeuron> neurons, double[]? means)
    {
        if (request.Probe is null || request.Data is null) return double.NaN;
        var split = request.Data.Test ?? request.Data.Dev ?? request.Data.Train;
        var values = split.Activations.ToArray();
        int columns = split.Activations.Columns;
        foreach (var n in neurons)
        {
            float v = means is null ? 0f : (float)means[n.Column];
            for (long r = 0; r < split.Activations.Rows; r++) values[r * columns + n.Column] = v;
        }
        var matrix = new DenseActivationMatrix(values, (int)split.Activations.Rows, split.Activations.Neurons);
        return request.Probe.Evaluate(split with { Activations = matrix }, request.Data.ClassNames).Accuracy;
    }
}

using NeuronHost.Plugins.Interventions.Common;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Sdk;

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

    [PluginParameter("seed of the random-k baseline")]
    public int Seed { get; set; } = 1;

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
        double clean = metric.Measure([]);
        double cleanProbe = ProbeAccuracy(request, [], means);
        int total = request.Rankings.Count * 3 * ks.Length, done = 0;
        foreach (var ranking in request.Rankings)
            foreach (var selection in new[] { Selection.Top, Selection.Random, Selection.Bottom })
                foreach (int k in ks.Where(k => k <= ranking.Order.Count))
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    var neurons = NeuronSelection.Pick(ranking, selection, k, Seed);
                    var edits = Value == AblationValue.Zero
                        ? NeuronSelection.Edits(neurons, EditOp.Zero, null)
                        : NeuronSelection.Edits(neurons, EditOp.Set, n => (float)means![n.Column]);
                    double value = metric.Measure(edits);
                    double probe = ProbeAccuracy(request, neurons, means);
                    rows.Add([ranking.Method, selection.ToString().ToLowerInvariant(), k, metric.Name, value, value - clean, probe, probe - cleanProbe]);
                    context.Progress.Report(new ProgressReport("ablation", ++done, total, "settings"));
                }

        var summary = new Dictionary<string, double> { [$"clean_{metric.Name}"] = clean, ["sentences"] = metric.Sentences };
        if (!double.IsNaN(cleanProbe)) summary["clean_probe_accuracy"] = cleanProbe;
        foreach (var ranking in request.Rankings)
        {
            int kMax = ks.Where(k => k <= ranking.Order.Count).DefaultIfEmpty(0).Max();
            foreach (var row in rows.Where(r => (string)r[0] == ranking.Method && (int)r[2] == kMax))
                summary[$"{ranking.Method}_{row[1]}_k{kMax}_delta_{metric.Name}"] = (double)row[5];
        }
        return new InterventionReport(Info.Name, summary,
        [
            new ResultTable("ablation",
                ["ranking", "selection", "k", "metric", "value", "delta", "probe_accuracy", "probe_delta"], rows),
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

using NeuronHost.Plugins.Interventions.Common;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Sdk;
using NeuronHost.Sdk.Statistics;

namespace NeuronHost.Plugins.Interventions.Gradients;

/// <summary>Zhao et al. 2025's empirical Neuron Empirical Gradient: shift one FFN neuron at the
/// prediction position by ±Δ·s(a) (Δ = step … max), record the change of p(target), fit a line
/// through the origin — NEG is its slope, linearity its |Pearson r| — and report NeurGrad (one
/// backward pass) beside it with their correlation. Many neurons share one batched forward:
/// each sequence of the batch carries a different neuron's shift.</summary>
public sealed class EmpiricalNegIntervention : IIntervention
{
    public PluginInfo Info { get; } = new("neg", PluginKind.Intervention,
        "Empirical neuron gradients by intervention (slope and linearity of Δp vs Δ) next to NeurGrad",
        new Version(1, 0));

    [PluginParameter("hook points: full names or a suffix matched in every block")]
    public string Hooks { get; set; } = "mlp.hook_post";

    [PluginParameter("neurons measured per prompt, sampled at random (0 = all)")]
    public int NeuronsPerPrompt { get; set; } = 256;

    [PluginParameter("prompts measured (from the prompt set, in order)")]
    public int MaxPrompts { get; set; } = 4;

    [PluginParameter("largest shift Δ")]
    public double DeltaMax { get; set; } = 2.0;

    [PluginParameter("step between shifts")]
    public double DeltaStep { get; set; } = 0.1;

    [PluginParameter("sequences per forward pass")]
    public int BatchSize { get; set; } = 64;

    [PluginParameter("seed of the neuron sample")]
    public int Seed { get; set; } = 1;

    public InterventionReport Run(InterventionRequest request, IPluginContext context)
    {
        if (request.Prompts.Count == 0) throw new PluginInputException("neg: the prompt set is empty");
        if (DeltaStep <= 0 || DeltaMax < DeltaStep) throw new PluginInputException($"neg: need 0 < delta-step ≤ delta-max (got {DeltaStep}, {DeltaMax})");
        var model = request.Model;
        var hooks = HookSelection.Resolve(model.Info, Hooks, Info.Name);
        var deltas = Deltas();
        var prompts = request.Prompts.Take(Math.Max(1, MaxPrompts)).Select(p => PromptTargets.Resolve(model, p, Info.Name)).ToArray();

        var rows = new List<IReadOnlyList<object>>();
        var negs = new List<double>(); var rs = new List<double>(); var grads = new List<double>();
        for (int pi = 0; pi < prompts.Length; pi++)
        {
            var prompt = prompts[pi];
            var (neurGrad, _, _) = NeurGradScores.Compute(model, prompt.Ids, prompt.Position, prompt.AnswerToken, hooks, context.Cancellation);
            var neurons = SampleNeurons(hooks, model.Info, pi);
            double clean = Probability(model, [prompt.Ids], [], prompt, context.Cancellation)[0];
            var measured = Measure(model, prompt, neurons, deltas, clean, context, pi, prompts.Length);
            for (int i = 0; i < neurons.Count; i++)
            {
                var (hook, index) = neurons[i];
                double neg = Statistics.SlopeThroughOrigin(deltas, measured[i]);
                // Linearity is |r|: a neuron that lowers p(target) linearly (NEG < 0) has r ≈ −1 and is
                // just as linear. (Signed r put half of gpt2-mini-brown's neurons at "r < 0".)
                double r = Math.Abs(Statistics.Pearson(deltas, measured[i]));
                double g = neurGrad[hook][index];
                // p of r against "Δp does not depend on Δ linearly" (ρ = 0), t-test with n − 2 df.
                rows.Add([pi, prompt.Source.Prompt, hook, index, HookPoints.LayerOf(hook), neg, r, g, CorrelationTest.PValue(r, deltas.Length)]);
                negs.Add(neg); rs.Add(r); grads.Add(g);
            }
        }

        // Against chance: with no linear relation anywhere, 5% of neurons would pass p < 0.05 by
        // accident; the binomial test says whether more do. NEG vs NeurGrad: Fisher interval, t-test vs ρ = 0.
        int linear = rows.Count(row => (double)row[8] < 0.05);
        double pearson = Statistics.Pearson(negs, grads);
        var (pearsonLow, pearsonHigh) = CorrelationTest.Interval(pearson, negs.Count);
        var summary = new Dictionary<string, double>
        {
            ["prompts"] = prompts.Length,
            ["fraction_linear_p05"] = linear / (double)rows.Count,
            ["linear_count_p_vs_chance"] = BinomialTest.PGreater(linear, rows.Count, 0.05),
            ["pearson_neg_vs_neurgrad_low95"] = pearsonLow,
            ["pearson_neg_vs_neurgrad_high95"] = pearsonHigh,
            ["pearson_neg_vs_neurgrad_p"] = CorrelationTest.PValue(pearson, negs.Count),
            ["neurons_measured"] = negs.Count,
            ["median_linearity_r"] = Statistics.Median(rs),
            ["fraction_r_above_0.9"] = rs.Count(r => r > 0.9) / (double)rs.Count,
            ["pearson_neg_vs_neurgrad"] = pearson,
            ["mean_abs_neg"] = negs.Average(Math.Abs),
            ["fraction_r_above_0.99"] = rs.Count(r => r > 0.99) / (double)rs.Count,
        };
        // The distribution of linearity as counts per bin, for the report's histogram.
        double[] edges = [0, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999];
        for (int b = 0; b < edges.Length; b++)
        {
            double lo = edges[b], hi = b + 1 < edges.Length ? edges[b + 1] : double.PositiveInfinity;
            summary[string.Create(System.Globalization.CultureInfo.InvariantCulture, $"linearity_r_bin_{lo}_{(b + 1 < edges.Length ? hi : 1)}")] =
                rs.Count(r => r >= lo && r < hi || (double.IsNaN(r) && b == 0));
        }
        return new InterventionReport(Info.Name, summary,
            [new ResultTable("neg", ["prompt", "text", "hook_point", "neuron", "layer", "neg", "linearity_r", "neurgrad", "linearity_p"], rows)]);
    }

    private double[] Deltas()
    {
        int steps = (int)Math.Round(DeltaMax / DeltaStep);
        var positive = Enumerable.Range(1, steps).Select(i => Math.Round(i * DeltaStep, 10)).ToArray();
        return [.. positive.Select(d => -d).Reverse(), .. positive];
    }

    private List<(string Hook, int Index)> SampleNeurons(string[] hooks, ModelInfo model, int promptIndex)
    {
        var all = hooks.SelectMany(h => Enumerable.Range(0, model.HookPointWidths[h]).Select(i => (h, i))).ToArray();
        if (NeuronsPerPrompt <= 0 || NeuronsPerPrompt >= all.Length) return [.. all];
        var order = Permutations.Of(all.Length, (ulong)(Seed * 7919 + promptIndex));
        return order.Take(NeuronsPerPrompt).Order().Select(i => all[i]).ToList();
    }

    /// <summary>Δp(target) for every (neuron, Δ), batched: row i of the result is neuron i.</summary>
    private double[][] Measure(IModelSession model, ResolvedPrompt prompt, List<(string Hook, int Index)> neurons,
        double[] deltas, double clean, IPluginContext context, int promptIndex, int promptCount)
    {
        var result = neurons.Select(_ => new double[deltas.Length]).ToArray();
        var jobs = neurons.SelectMany((n, i) => deltas.Select((d, j) => (Neuron: i, Delta: j))).ToArray();
        for (int start = 0; start < jobs.Length; start += BatchSize)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var batch = jobs.AsSpan(start, Math.Min(BatchSize, jobs.Length - start)).ToArray();
            var edits = batch.Select((job, s) =>
            {
                var (hook, index) = neurons[job.Neuron];
                return new HookEdit(hook, new NeuronEdit(EditOp.ShiftBySign, [index], null, (float)deltas[job.Delta]), s, [prompt.Position]);
            }).ToArray();
            var p = Probability(model, batch.Select(_ => prompt.Ids).ToArray(), edits, prompt, context.Cancellation);
            for (int s = 0; s < batch.Length; s++) result[batch[s].Neuron][batch[s].Delta] = p[s] - clean;
            context.Progress.Report(new ProgressReport($"neg prompt {promptIndex + 1}/{promptCount}", start + batch.Length, jobs.Length, "forwards"));
        }
        return result;
    }

    private static double[] Probability(IModelSession model, int[][] sequences, IReadOnlyList<HookEdit> edits, ResolvedPrompt prompt, CancellationToken cancellation)
    {
        var request = new ForwardRequest(sequences)
        {
            Edits = edits,
            Logits = LogitsMode.Last,
            LogitPositions = model.Info.IsMaskedLm ? sequences.Select(_ => prompt.Position).ToArray() : null,
        };
        var result = model.Forward(request, cancellation);
        return result.Logits.Select(l => Math.Exp(Softmax.LogProbability(l.Row(0), prompt.AnswerToken))).ToArray();
    }
}

using NeuronHost.Plugins.Interventions.Common;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Interventions.Gradients;

/// <summary>NeurGrad over a prompt set: for each prompt, ∂p(answer)/∂a · s(a) of every FFN
/// neuron from one backward pass; neurons reported by their mean score over prompts.</summary>
public sealed class NeurGradIntervention : IIntervention
{
    public PluginInfo Info { get; } = new("neurgrad", PluginKind.Intervention,
        "NeurGrad: gradient of p(answer) times the activation's sign, every FFN neuron, one backward pass per prompt",
        new Version(1, 0));

    [PluginParameter("hook points: full names or a suffix matched in every block")]
    public string Hooks { get; set; } = "mlp.hook_post";

    [PluginParameter("neurons listed, by |mean NeurGrad|")]
    public int Top { get; set; } = 100;

    public InterventionReport Run(InterventionRequest request, IPluginContext context)
    {
        if (request.Prompts.Count == 0) throw new PluginInputException("neurgrad: the prompt set is empty");
        var model = request.Model;
        var hooks = HookSelection.Resolve(model.Info, Hooks, Info.Name);
        var sums = hooks.ToDictionary(h => h, h => new double[model.Info.HookPointWidths[h]]);
        for (int i = 0; i < request.Prompts.Count; i++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var prompt = PromptTargets.Resolve(model, request.Prompts[i], Info.Name);
            var (scores, _, _) = NeurGradScores.Compute(model, prompt.Ids, prompt.Position, prompt.AnswerToken, hooks, context.Cancellation);
            foreach (var h in hooks) for (int n = 0; n < scores[h].Length; n++) sums[h][n] += scores[h][n];
            context.Progress.Report(new ProgressReport("neurgrad", i + 1, request.Prompts.Count, "prompts"));
        }
        var rows = hooks.SelectMany(h => sums[h].Select((s, n) => (Hook: h, Neuron: n, Mean: s / request.Prompts.Count)))
            .OrderByDescending(x => Math.Abs(x.Mean)).Take(Top)
            .Select(x => (IReadOnlyList<object>)[x.Hook, x.Neuron, HookPoints.LayerOf(x.Hook), x.Mean]).ToList();
        var all = hooks.SelectMany(h => sums[h]).Select(s => Math.Abs(s / request.Prompts.Count)).ToArray();
        return new InterventionReport(Info.Name,
            new Dictionary<string, double> { ["prompts"] = request.Prompts.Count, ["neurons"] = all.Length, ["mean_abs_neurgrad"] = all.Average() },
            [new ResultTable("neurgrad", ["hook_point", "neuron", "layer", "mean_neurgrad"], rows)]);
    }
}

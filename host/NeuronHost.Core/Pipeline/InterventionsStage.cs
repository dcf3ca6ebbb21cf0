using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>Runs each intervention plugin on the model with the rankings, the task data, the
/// corpus sentences and (when probes were configured) the first probe trained on all neurons.</summary>
public sealed class InterventionsStage : IPipelineStage
{
    public string Name => "interventions";

    public bool Applies(PipelineState s) => s.Config.Interventions.Count > 0;

    public void Run(PipelineState s)
    {
        var c = s.Config;
        var task = s.Need(s.Task, "the task");
        var rankings = s.Grid?.Rankings ?? [];
        ITrainedProbe? probe = null;
        if (c.Probes.Count > 0)
        {
            var p = s.Plugins.Create<IProbe>(c.Probes[0].Plugin, c.Probes[0].Parameters);
            probe = p.Train(task.Data, Enumerable.Range(0, task.Data.Neurons.Count).ToArray(), s.PluginContext());
        }
        var sentences = s.Need(s.Corpus, "the corpus").Sentences.Select(x => x.Annotated).ToList();
        var prompts = c.Prompts is null ? [] : NeuronHost.Data.Prompts.PromptSets.Load(c.Prompts);
        for (int i = 0; i < c.Interventions.Count; i++)
        {
            s.Cancellation.ThrowIfCancellationRequested();
            var use = c.Interventions[i];
            s.Progress.Report(new ProgressReport(Name, i, c.Interventions.Count, "plugins"));
            var plugin = s.Plugins.Create<IIntervention>(use.Plugin, use.Parameters);
            var request = new InterventionRequest(s.Need(s.Model, "the model"))
            {
                Rankings = rankings, Data = task.Data, Sentences = sentences, Probe = probe, Prompts = prompts,
            };
            var report = plugin.Run(request, s.PluginContext());
            var result = ResultsMapping.Intervention(report);
            if (use.DisplayName != use.Plugin) result.Method = use.DisplayName;
            s.Results.Interventions.Add(result);
            s.Progress.Report(new ProgressReport(Name, i + 1, c.Interventions.Count, "plugins"));
        }
    }
}

using NeuronHost.Core.Isolation;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>Runs each intervention plugin on the model with the rankings, the task data, the
/// corpus sentences and (when probes were configured) the first probe trained on all neurons.
/// Each intervention runs in its own worker process (<see cref="IsolatedIntervention"/>), which
/// opens the model from the same folder and maps the store: an exception, the plugin timeout, a
/// crash, a stack overflow, Environment.Exit or running out of memory marks that intervention
/// failed and the others go on. With --in-process they run in the host, guarded.</summary>
public sealed class InterventionsStage : IPipelineStage
{
    public string Name => "interventions";

    public bool Applies(PipelineState s) => s.Config.Interventions.Count > 0;

    public void Run(PipelineState s)
    {
        var c = s.Config;
        var task = s.Need(s.Task, "the task");
        var rankings = s.Grid?.Rankings ?? [];
        PluginWorker.Prestart(s.Isolation);
        try { RunAll(s, c, task, rankings); }
        finally { PluginWorker.ReleaseAll(); }
    }

    private void RunAll(PipelineState s, Config.AnalysisConfig c, NeuronHost.Data.Store.StoreTaskData task, IReadOnlyList<Ranking> rankings)
    {
        var sentences = HeldOutSentences(s);
        var prompts = c.Prompts is null ? [] : NeuronHost.Data.Prompts.PromptSets.Load(c.Prompts);
        var probeUse = c.Probes.Count > 0 ? c.Probes[0] : null;
        bool probeFailed = false;
        void ProbeFailed(string reason)
        {
            // Every intervention's worker trains the probe again; its first failure is the one recorded.
            if (probeFailed) return;
            probeFailed = true;
            s.PluginFailed(probeUse!.DisplayName, PluginKind.Probe, $"training on all neurons for the interventions: {reason}");
        }
        var isolated = new IsolatedIntervention(s.Plugins, s.Isolation);
        Lazy<ITrainedProbe?> inProcessProbe = new(() => TrainInProcess(s, probeUse, task.Data, ProbeFailed));
        for (int i = 0; i < c.Interventions.Count; i++)
        {
            s.Cancellation.ThrowIfCancellationRequested();
            var use = c.Interventions[i];
            s.Progress.Report(new ProgressReport(Name, i, c.Interventions.Count, "plugins"));
            var plugin = s.Plugins.Create<IIntervention>(use.Plugin, use.Parameters);
            try
            {
                if (plugin.Info.Name == "translation") CheckTranslationTask(c, task.Data, use);
                var probe = probeUse is null || probeFailed ? null
                    : new IsolatedIntervention.ProbeUse(probeUse.Plugin, probeUse.Parameters, probeUse.DisplayName);
                var report = s.Isolation.InProcess ? null
                    : isolated.Run(use.Plugin, use.Parameters, use.DisplayName, c.ModelDir, probe, task.Data, rankings, sentences, prompts,
                        s.PluginContext(), ProbeFailed);
                if (report is null)
                {
                    // In-process mode, or data a worker cannot map: run in the host, guarded.
                    var request = new InterventionRequest(s.Need(s.Model, "the model"))
                    {
                        Rankings = rankings, Data = task.Data, Sentences = sentences, Probe = inProcessProbe.Value, Prompts = prompts,
                    };
                    report = GuardedCall.Run(use.DisplayName, PluginKind.Intervention, s.Isolation.Timeout, s.Cancellation, () => plugin.Run(request, s.PluginContext()));
                }
                var result = ResultsMapping.Intervention(Checked(report));
                if (use.DisplayName != use.Plugin) result.Method = use.DisplayName;
                s.Results.Interventions.Add(result);
            }
            catch (Exception e) when (!(e is OperationCanceledException && s.Cancellation.IsCancellationRequested))
            {
                s.PluginFailed(use.DisplayName, PluginKind.Intervention, Analysis.ProbeRankingGrid.FailureReason(e));
            }
            s.Progress.Report(new ProgressReport(Name, i + 1, c.Interventions.Count, "plugins"));
        }
    }

    /// <summary>A report the results can hold: not null, with a summary and a table list.</summary>
    private static InterventionReport Checked(InterventionReport? report)
    {
        if (report is null) throw new PluginInputException("returned no report (null)");
        if (report.Summary is null) throw new PluginInputException("returned a report without a summary (null)");
        if (report.Tables is null) throw new PluginInputException("returned a report without tables (null)");
        return report;
    }

    /// <summary>The probe interventions re-evaluate, trained in the host under the guard (in-process
    /// mode only); null when the analysis has no probe or it failed.</summary>
    private static ITrainedProbe? TrainInProcess(PipelineState s, Config.PluginUse? use, ProbingData data, Action<string> failed)
    {
        if (use is null) return null;
        var p = s.Plugins.Create<IProbe>(use.Plugin, use.Parameters);
        try
        {
            var trained = GuardedCall.Run(use.DisplayName, PluginKind.Probe, s.Isolation.Timeout, s.Cancellation,
                () => p.Train(data, Enumerable.Range(0, data.Neurons.Count).ToArray(), s.PluginContext()));
            return new GuardedTrainedProbe(trained, use.DisplayName, s.Isolation.Timeout, s.Cancellation);
        }
        catch (Exception e) when (!(e is OperationCanceledException && s.Cancellation.IsCancellationRequested))
        {
            failed(Analysis.ProbeRankingGrid.FailureReason(e));
            return null;
        }
    }

    /// <summary>Sentences the interventions score: the corpus's test split when it has one (held
    /// out from the rankings' training words), else its dev split, else the task's test sentences
    /// when the task split the corpus by ratio, else every sentence.</summary>
    private static List<AnnotatedSentence> HeldOutSentences(PipelineState s)
    {
        bool text = s.Config.LmInput != "words";
        return HeldOutCorpusSentences(s).Select(x => text && !string.IsNullOrEmpty(x.Text) ? x.Annotated with { SourceText = x.Text } : x.Annotated).ToList();
    }

    private static List<Data.Corpora.CorpusSentence> HeldOutCorpusSentences(PipelineState s)
    {
        var corpus = s.Need(s.Corpus, "the corpus");
        if (s.Config.Corpus.MaxSentences is not null && HeldOutSplit(Data.Corpora.Corpus.Load(s.Config.Corpus.Path)) is { } whole)
        {
            // max_sentences bounds the stored activations (the rankings' data); the held-out split
            // is not stored, so the interventions score all of it.
            s.Log.Info($"interventions: scoring all {whole.Sentences.Count} sentences of the corpus's {whole.Name} split (max_sentences limits only the stored words)");
            return whole.Sentences.ToList();
        }
        var split = corpus.Split("test") is { Sentences.Count: > 0 } test ? test : corpus.Split("dev") is { Sentences.Count: > 0 } dev ? dev : null;
        if (split is null && s.Task?.Task.Split("test") is { Count: > 0 } taskTest && s.Store is { } store
            && store.Tokens.Sentences == corpus.SentenceCount)
        {
            // A corpus without splits was split by ratio for the task: its test sentences are the held-out ones.
            var held = taskTest.Rows.Select(r => store.Tokens.RowSentence[r]).ToHashSet();
            var sentences = corpus.Sentences.Where((_, i) => held.Contains(i)).ToList();
            s.Log.Info($"interventions: scoring the {sentences.Count} sentences of the task's test split (random split of {corpus.Name})");
            return sentences;
        }
        if (split is null)
        {
            s.Log.Info($"interventions: corpus {corpus.Name} has no test or dev split; interventions score all {corpus.SentenceCount} sentences");
            return corpus.Sentences.ToList();
        }
        s.Log.Info($"interventions: scoring the {split.Sentences.Count} sentences of the corpus's {split.Name} split");
        return split.Sentences.ToList();
    }

    private static Data.Corpora.CorpusSplit? HeldOutSplit(Data.Corpora.Corpus corpus) =>
        corpus.Split("test") is { Sentences.Count: > 0 } test ? test : corpus.Split("dev") is { Sentences.Count: > 0 } dev ? dev : null;

    /// <summary>Translation moves a noun's Number (Sing ↔ Plur) using class means of the task data,
    /// so the task must be that attribute.</summary>
    private static void CheckTranslationTask(Config.AnalysisConfig c, ProbingData data, Config.PluginUse use)
    {
        string attribute = use.Parameters.FirstOrDefault(p => p.Key.Equals("attribute", StringComparison.OrdinalIgnoreCase)).Value ?? "Number";
        if (!c.Task.Name.Equals(attribute, StringComparison.OrdinalIgnoreCase) || !data.ClassNames.Contains("Sing") || !data.ClassNames.Contains("Plur"))
            throw new PluginInputException($"translation ('{use.DisplayName}'): needs task '{attribute}' with classes Sing and Plur, but the config's task is '{c.Task.Name}' with classes {string.Join(", ", data.ClassNames)}");
    }
}

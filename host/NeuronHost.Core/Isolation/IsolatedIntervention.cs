using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Isolation;

/// <summary>One intervention run in its own worker process. The worker opens the model from the
/// same folder, maps the task's activations from the store, and — when the analysis has probes —
/// first trains the probe the intervention re-evaluates, on all neurons, in the same worker. A
/// probe that fails there (throws, times out, or takes the worker down) is reported through
/// <c>probeFailed</c> and the intervention runs without it, in a fresh worker if the old one
/// died; anything that goes wrong in the intervention itself is a
/// <see cref="PluginFailedException"/> for the intervention.</summary>
internal sealed class IsolatedIntervention(PluginCatalog catalog, IsolationOptions options)
{
    public sealed record ProbeUse(string Plugin, IReadOnlyDictionary<string, string> Parameters, string DisplayName);

    /// <summary>The report, or null when the data is not read from a store (the caller then runs
    /// the intervention in process, guarded).</summary>
    public InterventionReport? Run(string plugin, IReadOnlyDictionary<string, string> parameters, string displayName, string modelDirectory,
        ProbeUse? probe, ProbingData data, IReadOnlyList<Ranking> rankings, IReadOnlyList<AnnotatedSentence> sentences,
        IReadOnlyList<ChoicePrompt> prompts, IPluginContext context, Action<string> probeFailed)
    {
        var folders = WorkerSetup.FolderOf(catalog.Get(plugin)).ToList();
        if (probe is not null) folders.AddRange(WorkerSetup.FolderOf(catalog.Get(probe.Plugin)).Where(f => !folders.Contains(f)));
        var setup = WorkerSetup.For(plugin, PluginKind.Intervention, parameters, folders, context.Seed, options.Backend, data);
        if (setup is null) return null;
        setup = setup with
        {
            ModelDirectory = modelDirectory,
            ProbePlugin = probe?.Plugin ?? "",
            ProbeParameters = probe?.Parameters ?? new Dictionary<string, string>(),
        };

        var worker = Start(setup, displayName, data, context);
        try
        {
            bool withProbe = false;
            if (probe is not null)
            {
                try
                {
                    worker.Call(WorkerMessage.TrainInterventionProbe, w => w.Write(0), WorkerMessage.InterventionProbeTrained,
                        context.Progress, context.Cancellation);
                    withProbe = true;
                }
                catch (PluginFailedException e)
                {
                    probeFailed(e.Reason);
                    if (!worker.Alive)
                    {
                        worker.Dispose();
                        worker = Start(setup with { ProbePlugin = "" }, displayName, data, context);
                    }
                }
            }
            var body = worker.Call(WorkerMessage.Intervene,
                w => { w.Write(0); InterventionMessages.WriteRequest(w, rankings, sentences, prompts, withProbe); },
                WorkerMessage.Intervened, context.Progress, context.Cancellation);
            return InterventionMessages.ReadReport(body);
        }
        finally
        {
            worker.Dispose();
        }
    }

    private PluginWorker Start(WorkerSetup setup, string displayName, ProbingData data, IPluginContext context)
    {
        var worker = PluginWorker.Start(setup, displayName, options, context.Log, context.Cancellation);
        try
        {
            worker.Post(WorkerMessage.Labels, w => LabelSet.Write(w, 0, data));
            return worker;
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }
}

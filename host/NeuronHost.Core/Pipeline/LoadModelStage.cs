using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>Opens the model (Hugging Face checkpoint or USE-Lite TF.js graph) and its tokenizer.</summary>
public sealed class LoadModelStage : IPipelineStage
{
    public string Name => "load model";

    public void Run(PipelineState s)
    {
        s.Progress.Report(new ProgressReport(Name, 0, 1, "models"));
        var model = ModelOpener.Open(s.Config.ModelDir);
        s.Model = model;
        foreach (var warning in ModelOpener.Warnings(model)) s.Log.Warn(warning);
        // Interventions inside the forward run their masked edits on the chosen backend.
        if (model is IEditBackend edits) edits.EditKernels = s.Kernels;
        var info = model.Info;
        s.Results.Identity.Model = info.Name;
        s.Results.Identity.ModelFamily = info.Family;
        s.Results.Identity.ModelIdentity = info.Identity;
        s.Log.Info($"model {info.Name} ({info.Family}, {info.Layers} layers, {info.FfnSize} FFN neurons per layer)");
        foreach (var h in s.Config.ResolvedHookPoints())
            if (!info.HookPointWidths.ContainsKey(h))
                throw new InvalidOperationException($"model {info.Name} has no hook point '{h}' (it has {info.Layers} layers: blocks.0 … blocks.{info.Layers - 1})");
        s.Progress.Report(new ProgressReport(Name, 1, 1, "models"));
    }
}

using System.Diagnostics;
using NeuronHost.Core.Config;
using NeuronHost.Core.Isolation;
using NeuronHost.Core.Plugins;
using NeuronHost.Core.Reports;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>One analysis from config to report: load model → read corpus → extract (or reuse) the
/// activation store → build the task → rankings and the probe × ranking grid → max-activating
/// contexts → interventions → the report folder. A plugin that fails is recorded in
/// <see cref="RunResults.PluginFailures"/> and the run goes on without it. Cancelling keeps what
/// finished: the results of the completed stages (and the finished rankings and grid cells) are
/// written with status "cancelled" and returned. Any other failure
/// writes nothing to the output folder (no half-finished folder that looks complete) and throws.</summary>
public sealed class AnalysisPipeline(PluginCatalog plugins)
{
    public PipelineLog Log { get; } = new();
    /// <summary>How plugins run; the config's plugin-timeout fills in a missing timeout.</summary>
    public IsolationOptions Isolation { get; set; } = IsolationOptions.Default;
    /// <summary>Runs instead of <see cref="ExtractStage"/> when set (the cluster's extraction).</summary>
    public IPipelineStage? Extract { get; set; }

    public static IReadOnlyList<IPipelineStage> Stages { get; } =
    [
        new LoadModelStage(), new LoadCorpusStage(), new ExtractStage(), new BuildTaskStage(),
        new RankAndProbeStage(), new ContextsStage(), new InterventionsStage(),
    ];

    /// <summary>The stage names a display can lay out before the run starts.</summary>
    public static IReadOnlyList<string> StageNames(AnalysisConfig config) =>
        Stages.Where(st => st is not RankAndProbeStage || config.Rankings.Count > 0)
            .Where(st => st is not InterventionsStage || config.Interventions.Count > 0)
            .Where(st => st is not ContextsStage || (config.TopContexts > 0 && config.Rankings.Count > 0))
            .Select(st => st.Name).Append(WriteReportStage).ToList();

    public const string WriteReportStage = "write report";

    /// <summary>Longest a cancelled run spends rendering report.html; past it a short page points
    /// to <c>neuronhost report</c> (results.json and the CSVs are complete either way).</summary>
    public static readonly TimeSpan CancelledReportBudget = TimeSpan.FromSeconds(0.6);

    public RunResults Run(AnalysisConfig config, IProgress<ProgressReport> progress, CancellationToken cancellation = default)
    {
        AnalysisConfigValidator.Validate(config, PluginDirectory.FromCatalog(plugins));
        ReportWarmup.Start();
        foreach (var warning in config.Warnings) Log.Warn(warning);
        var backend = NeuronHost.Kernels.KernelBackends.Create(config.Backend);
        if (!string.IsNullOrEmpty(backend.Notice)) Log.Info(backend.Notice);
        var isolation = Isolation with
        {
            Timeout = Isolation.Timeout ?? (config.PluginTimeoutSeconds is { } t ? TimeSpan.FromSeconds(t) : null),
            Backend = backend.Kernels.Backend.StartsWith("cpu", StringComparison.Ordinal) ? "cpu" : config.Backend,
        };
        using var state = new PipelineState(config, plugins, backend.Kernels, progress, Log, cancellation, isolation);
        var results = state.Results;
        results.ConfigYaml = AnalysisYaml.Save(config);
        results.Identity.Seed = config.Seed;
        results.Identity.Backend = state.Kernels.Backend;
        var clock = new Stopwatch();
        string current = "";
        try
        {
            foreach (var listed in Stages)
            {
                var stage = listed is ExtractStage && Extract is { } replacement ? replacement : listed;
                if (!stage.Applies(state)) continue;
                cancellation.ThrowIfCancellationRequested();
                current = stage.Name;
                Log.Info($"{stage.Name} …");
                clock.Restart();
                stage.Run(state);
                results.Timings.Add(new StageTiming(stage.Name, Math.Round(clock.Elapsed.TotalSeconds, 3)));
                // The workers of the next stage run beside the host: give back what this stage
                // left (the extraction's buffers, the GC's retained free regions).
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            results.Status = RunStatus.Cancelled;
            results.StatusMessage = $"Cancelled during '{current}'.";
            Log.Warn($"cancelled during {current}; writing the finished results");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new PipelineException(current, e);
        }
        progress.Report(new ProgressReport(WriteReportStage, 0, 1, "folders"));
        // A cancelled run must exit within 2 s (Ctrl+C): the report gets what is left of that.
        ReportFolder.Write(results, config.OutputDir, results.Status == RunStatus.Cancelled ? CancelledReportBudget : null);
        progress.Report(new ProgressReport(WriteReportStage, 1, 1, "folders"));
        Log.Info($"results in {config.OutputDir}");
        return results;
    }
}

/// <summary>A stage failed: the message names the stage and the cause (file, line, plugin…).</summary>
public sealed class PipelineException(string stage, Exception inner)
    : Exception($"{stage}: {OneLine(inner)}", inner)
{
    public string Stage { get; } = stage;

    private static string OneLine(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
        return string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}

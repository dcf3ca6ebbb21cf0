using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Plugins;
using NeuronHost.Core.Reports;
using NeuronHost.Data.Output;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Reproduce;

/// <summary>The outcome of <c>reproduce</c>: the table and whether every run finished.</summary>
public sealed class ReproduceResult
{
    public List<Finding> Findings { get; set; } = [];
    /// <summary>Per run: complete, cancelled, skipped (with the reason).</summary>
    public List<ReproducedRun> Runs { get; set; } = [];
    public string Status { get; set; } = RunStatus.Complete;
    public int PluginFailures { get; set; }
}

public sealed record ReproducedRun(string Name, string Purpose, string Status, string? Reason, string? Folder);

/// <summary>Runs the planned analyses one after another through <see cref="AnalysisPipeline"/>
/// (each writes an ordinary run folder under OUT/runs/), then reads their results.json back and
/// writes the findings table (findings.json, findings.csv, report.html). OUT is checked before any
/// work starts and only a folder NeuronHost created is ever written into. Cancelling stops after
/// the running analysis has saved what it finished; the table is still written, with the missing
/// findings marked "cannot tell".</summary>
public sealed class ReproduceRunner(PluginCatalog plugins)
{
    public const string Kind = "reproduce";
    public PipelineLog Log { get; } = new();
    public Isolation.IsolationOptions Isolation { get; set; } = NeuronHost.Core.Isolation.IsolationOptions.Default;

    public static bool IsOwnFile(string name) => name is ReproduceFolder.FindingsJson or ReproduceFolder.FindingsCsv or ReportFolder.ReportFile;

    public static void CheckTarget(string outDir) => OutputFolder.Check(outDir, Kind, IsOwnFile);

    public ReproduceResult Run(ReproduceOptions options, IReadOnlyList<PlannedRun> plan, IProgress<ProgressReport> progress, CancellationToken cancellation)
    {
        string outDir = OutputFolder.FullPath(options.OutputDir);
        CheckTarget(outDir);
        foreach (var run in plan.Where(r => r.Config is not null)) ReportFolder.CheckTarget(run.Config!.OutputDir);
        Directory.CreateDirectory(outDir);
        OutputFolder.WriteMarker(outDir, Kind);

        var result = new ReproduceResult();
        var outcomes = new Dictionary<string, FindingRules.RunOutcome>();
        foreach (var run in plan)
        {
            if (run.Config is null || cancellation.IsCancellationRequested)
            {
                string reason = run.SkippedBecause ?? "cancelled before it started";
                Log.Info($"{run.Name}: skipped — {reason}");
                RemoveStale(Path.Combine(outDir, "runs", run.Name));
                outcomes[run.Name] = new(run.Name, null, reason);
                result.Runs.Add(new(run.Name, run.Purpose, run.Config is null ? "skipped" : RunStatus.Cancelled, reason, null));
                continue;
            }
            Log.Info($"{run.Name}: {run.Purpose}");
            var pipeline = new AnalysisPipeline(plugins) { Isolation = Isolation };
            pipeline.Log.Written += (level, message) => { if (level == LogLevel.Warn) Log.Warn($"{run.Name}: {message}"); else Log.Info($"{run.Name}: {message}"); };
            var prefixed = new CallbackProgress<ProgressReport>(p => progress.Report(p with { Stage = $"{run.Name}: {p.Stage}" }));
            var written = pipeline.Run(run.Config, prefixed, cancellation);
            // Read back what was written: the table rests on results.json, as a reader's check would.
            var saved = ResultsJson.Load(Path.Combine(run.Config.OutputDir, ReportFolder.ResultsFile));
            outcomes[run.Name] = new(run.Name, saved, null);
            result.PluginFailures += written.PluginFailures.Count;
            result.Runs.Add(new(run.Name, run.Purpose, saved.Status, saved.StatusMessage, Path.GetRelativePath(outDir, run.Config.OutputDir)));
            if (saved.Status == RunStatus.Cancelled) result.Status = RunStatus.Cancelled;
        }
        result.Findings = FindingRules.Evaluate(outcomes);
        ReproduceFolder.Write(outDir, result);
        Log.Info($"findings in {outDir}");
        return result;
    }

    private static void RemoveStale(string runDir)
    {
        // An earlier reproduce's folder for a run that is skipped now would pass for this run's result.
        if (Directory.Exists(runDir) && OutputFolder.IsOwnOutput(runDir, ReportFolder.Kind, ReportFolder.IsRunFile))
            Directory.Delete(runDir, recursive: true);
    }
}

using NeuronHost.Core.Analysis;
using NeuronHost.Core.Config;
using NeuronHost.Core.Isolation;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>Runs the ranking plugins and the probe × ranking grid (with the control task,
/// the all-neuron oracle and the minimal neuron sets). Plugins run as the state's isolation
/// options say; failed ones are recorded and the grid goes on. On cancel the finished rankings
/// and cells are kept before the stage stops.</summary>
public sealed class RankAndProbeStage : IPipelineStage
{
    public string Name => "rank and probe";
    private const string GridProgressStage = "probe × ranking grid";

    public bool Applies(PipelineState s) => s.Config.Rankings.Count > 0;

    public void Run(PipelineState s)
    {
        var c = s.Config;
        var task = s.Need(s.Task, "the task");
        using var runners = new PluginRunners(s.Plugins, s.Isolation);
        var merged = UsableMoments(s, task);
        var held = UsableHeldRows(s, task);
        var rankers = c.Rankings.Select(u => runners.Ranking(u.Plugin, u.Parameters, u.DisplayName) is var r
            && merged is not null && merged.Rankings.Contains(u.DisplayName) ? new ProbelessFromMoments(r, u, merged, s.Kernels)
            : held is not null && held.Rankings.Contains(u.DisplayName) ? OverHeldRows(s, u, held) : r).ToList();
        var heldProbes = c.Probes.Where(u => held is not null && held.Probes.Contains(u.DisplayName))
            .ToDictionary(u => u.DisplayName, u => ProbeOverHeldRows(s, u, held!, task));
        var probes = c.Probes.Select(u => heldProbes.TryGetValue(u.DisplayName, out var p) ? p : runners.Probe(u.Plugin, u.Parameters, u.DisplayName)).ToList();
        var options = new GridOptions
        {
            KValues = c.KGrid,
            MinimalSetMargin = c.MinimalSetMargin,
            RandomDraws = c.RandomDraws,
            OracleFractions = c.OracleFractions,
            Control = c.Task.Control && probes.Count > 0 ? ControlTask.Build(task.Data, c.Seed) : null,
        };
        // The grid reports its own steps; mirror its overall count under this stage's name.
        s.Progress.Report(new ProgressReport(Name, 0, 1, "steps"));
        bool gridReported = false;
        var progress = new CallbackProgress<ProgressReport>(r =>
        {
            s.Progress.Report(r);
            if (r.Stage == GridProgressStage) { gridReported = true; s.Progress.Report(r with { Stage = Name }); }
        });
        var context = new PluginContext(s.Kernels) { Progress = progress, Log = s.Log, Cancellation = s.Cancellation, Seed = c.Seed };
        GridResult grid;
        try { grid = ProbeRankingGrid.Run(options, task.Data, rankers, probes, context); }
        finally { foreach (var p in heldProbes.Values) p.Dispose(); }
        if (!gridReported && !grid.Cancelled) s.Progress.Report(new ProgressReport(Name, 1, 1, "steps"));
        s.Grid = grid;
        foreach (var f in grid.Failures)
            s.Results.PluginFailures.Add(new Reports.PluginFailureResult { Plugin = f.Plugin, Kind = Plugins.LoadedPlugin.KindToText(f.Kind), Reason = f.Message });
        foreach (var r in grid.Rankings)
        {
            var use = c.Rankings.FirstOrDefault(u => u.DisplayName == r.Method) ?? new PluginUse { Plugin = r.Method };
            s.Results.Rankings.Add(ResultsMapping.Ranking(r, use.Plugin, use.Parameters));
        }
        ResultsMapping.AddGrid(s.Results, grid);
        s.Results.Statistics = ResultsMapping.Statistics(grid, options, c.Seed);
        s.Cancellation.ThrowIfCancellationRequested();
    }

    /// <summary>A ranking over the silos' train rows. It runs in this process, not in a worker: its
    /// messages to the holders go through this process's cluster connection.</summary>
    private static IRankingMethod OverHeldRows(PipelineState s, Config.PluginUse u, IHeldTrainRows held)
    {
        var plugin = (IRankingOverHeldRows)s.Plugins.Create<IRankingMethod>(u.Plugin, u.Parameters);
        return new RankingOverHeldRows(plugin, u, held, s.Plugins.Get(u.Plugin).Version);
    }

    /// <summary>A probe over the rows the silos keep; in this process, as <see cref="OverHeldRows"/>.</summary>
    private static ProbeOverHeldRows ProbeOverHeldRows(PipelineState s, Config.PluginUse u, IHeldTrainRows held, NeuronHost.Data.Store.StoreTaskData task)
    {
        var plugin = (IProbeOverHeldRows)s.Plugins.Create<IProbe>(u.Plugin, u.Parameters);
        return new ProbeOverHeldRows(plugin, u, held, s.Plugins.Get(u.Plugin).Version, task.Task);
    }

    /// <summary>The held train rows, if they are exactly this task's train rows and labels; else the
    /// rankings over them fail with one line (the rows are not here to fall back on).</summary>
    private static IHeldTrainRows? UsableHeldRows(PipelineState s, NeuronHost.Data.Store.StoreTaskData task)
    {
        if (s.HeldRows is not { } h) return null;
        var train = task.Task.Train;
        if (train.Rows.AsSpan().SequenceEqual(h.TrainRows) && train.Labels.AsSpan().SequenceEqual(h.TrainLabels)) return h;
        throw new InvalidOperationException($"the train rows kept on {h.Where} are not this task's train rows; rerun without --cluster or with a store");
    }

    /// <summary>The merged moments, if they were computed over exactly this task's train rows and labels.</summary>
    private static MergedTrainMoments? UsableMoments(PipelineState s, NeuronHost.Data.Store.StoreTaskData task)
    {
        if (s.TrainMoments is not { } m) return null;
        var train = task.Task.Train;
        if (train.Rows.AsSpan().SequenceEqual(m.TrainRows) && train.Labels.AsSpan().SequenceEqual(m.TrainLabels)) return m;
        s.Log.Warn($"the class moments from {m.Source} were computed over other train rows than this task's; {string.Join(", ", m.Rankings)} run from the rows");
        return null;
    }
}

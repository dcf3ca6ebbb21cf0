using NeuronHost.Core.Analysis;
using NeuronHost.Core.Config;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>Runs the ranking plugins and the probe × ranking grid (with the control task,
/// the all-neuron oracle and the minimal neuron sets).</summary>
public sealed class RankAndProbeStage : IPipelineStage
{
    public string Name => "rank and probe";

    public bool Applies(PipelineState s) => s.Config.Rankings.Count > 0;

    public void Run(PipelineState s)
    {
        var c = s.Config;
        var task = s.Need(s.Task, "the task");
        var rankers = c.Rankings.Select(u => (IRankingMethod)new NamedRanking(s.Plugins.Create<IRankingMethod>(u.Plugin, u.Parameters), u.DisplayName)).ToList();
        var probes = c.Probes.Select(u => (IProbe)new NamedProbe(s.Plugins.Create<IProbe>(u.Plugin, u.Parameters), u.DisplayName)).ToList();
        var options = new GridOptions
        {
            KValues = c.KGrid,
            MinimalSetMargin = c.MinimalSetMargin,
            Control = c.Task.Control && probes.Count > 0 ? ControlTask.Build(task.Data, c.Seed) : null,
        };
        var grid = ProbeRankingGrid.Run(options, task.Data, rankers, probes, s.PluginContext());
        s.Grid = grid;
        foreach (var f in grid.Failures) s.Log.Warn($"ranking '{f.Plugin}' failed: {f.Message}");
        foreach (var r in grid.Rankings)
        {
            var use = c.Rankings.FirstOrDefault(u => u.DisplayName == r.Method) ?? new PluginUse { Plugin = r.Method };
            s.Results.Rankings.Add(ResultsMapping.Ranking(r, use.Plugin, use.Parameters));
        }
        ResultsMapping.AddGrid(s.Results, grid);
    }
}

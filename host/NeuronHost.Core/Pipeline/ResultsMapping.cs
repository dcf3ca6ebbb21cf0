using NeuronHost.Core.Analysis;
using NeuronHost.Core.Reports;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>The analyses' own records → the results model the report and TUI read.</summary>
public static class ResultsMapping
{
    public static RankingResult Ranking(Ranking r, string plugin, IReadOnlyDictionary<string, string> parameters) => new()
    {
        Name = r.Method,
        Plugin = plugin,
        Parameters = parameters.ToDictionary(kv => kv.Key, kv => kv.Value),
        Neurons = r.Order.Select((n, i) => new RankedNeuronResult
        {
            Rank = i + 1, HookPoint = n.Neuron.HookPoint, Index = n.Neuron.Index, Layer = n.Neuron.Layer,
            Score = n.Score, Column = n.Column,
        }).ToList(),
    };

    private static double? Value(double v) => double.IsNaN(v) ? null : v;

    public static void AddGrid(RunResults results, GridResult grid)
    {
        foreach (var c in grid.Cells)
            results.Accuracy.Add(new AccuracyPoint
            {
                Ranking = c.Ranking, Probe = c.Probe, Selection = c.Selection, K = c.K,
                TrainAccuracy = Value(c.Task.Train), DevAccuracy = Value(c.Task.Dev), TestAccuracy = Value(c.Task.HeldOut),
                ControlAccuracy = Value(c.Control.HeldOut), Selectivity = Value(c.Selectivity),
            });
        foreach (var o in grid.Oracles)
            results.Oracle.Add(new Reports.OracleResult
            {
                Probe = o.Probe, Neurons = grid.Rankings.FirstOrDefault()?.Order.Count ?? 0,
                TrainAccuracy = Value(o.Task.Train), DevAccuracy = Value(o.Task.Dev),
                TestAccuracy = Value(o.Task.HeldOut), ControlAccuracy = Value(o.Control.HeldOut),
                Selectivity = Value(o.Selectivity), MajorityBaseline = Value(grid.MajorityBaseline.HeldOut),
            });
        foreach (var m in grid.MinimalSets)
            results.MinimalSets.Add(new MinimalSetResult
            {
                Ranking = m.Ranking, Probe = m.Probe, K = m.Size, Accuracy = double.IsNaN(m.Accuracy) ? 0 : m.Accuracy,
                OracleAccuracy = m.OracleAccuracy, Margin = m.Margin, Reached = m.Size > 0,
                Layers = m.LayerCounts.OrderBy(kv => kv.Key).Select(kv => new LayerCount(kv.Key, kv.Value)).ToList(),
            });
    }

    public static InterventionResult Intervention(InterventionReport report) => new()
    {
        Method = report.Method,
        Summary = report.Summary.ToDictionary(kv => kv.Key, kv => kv.Value),
        Tables = report.Tables.Select(t => new TableData
        {
            Name = t.Name,
            Columns = t.Columns.ToList(),
            Rows = t.Rows.Select(r => r.Select(Cell).ToList()).ToList(),
        }).ToList(),
    };

    /// <summary>Cells as JSON round-trips them (numbers as double), so a run's results equal
    /// the same results read back from results.json.</summary>
    private static object? Cell(object? v) => v switch
    {
        null => null,
        string or bool => v,
        Enum e => e.ToString(),
        IConvertible c when v is not char => c.ToDouble(System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };
}

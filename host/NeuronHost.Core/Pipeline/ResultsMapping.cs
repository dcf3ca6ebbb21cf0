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
                SelectedOn = m.SelectedOn, SelectionAccuracy = Value(m.SelectionAccuracy), OracleSelectionAccuracy = Value(m.OracleSelectionAccuracy),
                ControlAccuracy = Value(m.ControlAccuracy), Selectivity = Value(m.Selectivity), EvaluatedK = m.Evaluated.ToList(),
            });
        foreach (var f in grid.OracleFractions)
            results.OracleFractions.Add(new OracleFractionResult
            {
                Ranking = f.Ranking, Probe = f.Probe, Fraction = f.Fraction, K = f.K, Reached = f.K > 0, SelectedOn = f.SelectedOn,
                SelectionAccuracy = Value(f.SelectionAccuracy), TestAccuracy = Value(f.TestAccuracy),
            });
        foreach (var b in grid.RandomBaselines)
            results.RandomBaselines.Add(new RandomBaselineResult
            {
                Probe = b.Probe, K = b.K, Draws = b.HeldOut.N, Mean = Value(b.HeldOut.Mean), Sd = Value(b.HeldOut.Sd),
                Low95 = Value(b.HeldOut.Low95), High95 = Value(b.HeldOut.High95), Min = Value(b.HeldOut.Min), Max = Value(b.HeldOut.Max),
                Values = b.Draws.Select(x => new RandomDrawResult
                {
                    Draw = x.Draw, Seed = x.Seed, TestAccuracy = Value(x.Task.HeldOut), DevAccuracy = Value(x.Task.Dev), ControlAccuracy = Value(x.Control.HeldOut),
                }).ToList(),
            });
        foreach (var c in grid.Comparisons)
            results.Comparisons.Add(Comparison(c));
        foreach (var t in grid.Ties)
            if (results.Rankings.FirstOrDefault(r => r.Name == t.Ranking) is { } ranking)
            {
                ranking.TiedAtBottom = t.TiedAtBottom; ranking.BottomScore = Value(t.BottomScore); ranking.TiedAtTop = t.TiedAtTop;
            }
    }

    public static ComparisonResult Comparison(SelectionComparison c) => new()
    {
        Kind = c.Kind, Probe = c.Probe, K = c.K, A = c.A, B = c.B, Items = c.Paired.N,
        MeanDifference = Value(c.Paired.MeanDifference), Low95 = Value(c.Paired.Low95), High95 = Value(c.Paired.High95),
        PValue = Value(c.Paired.PValue), DrawPValue = Value(c.DrawPValue), Distinguishable = c.Distinguishable(), Seed = c.Paired.Seed,
    };

    /// <summary>The seeds and settings behind the grid's baselines and tests.</summary>
    public static StatisticsSettings Statistics(GridResult grid, GridOptions options, int seed) => new()
    {
        RandomDraws = grid.RandomSeeds.Count, RandomSeeds = grid.RandomSeeds.ToList(), TestRounds = options.TestRounds, TestSeed = (ulong)seed,
        Items = "held-out tokens (test split; dev, then train, when absent)",
        Interval = "random draws: mean ± Student-t 95% interval over draws; comparisons: 2.5–97.5% percentile bootstrap over items",
        Test = "two-sided sign-flip permutation over items (exact up to 20 items); top vs random also: t prediction test of top against the draws",
    };

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

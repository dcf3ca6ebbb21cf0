using NeuronHost.Sdk;

namespace NeuronHost.Core.Analysis;

/// <summary>Accuracies of one probe on one split (NaN where the split is absent).</summary>
public sealed record SplitAccuracies(double Train, double Dev, double Test)
{
    public static SplitAccuracies None { get; } = new(double.NaN, double.NaN, double.NaN);
    /// <summary>The held-out figure used for comparisons: test, else dev, else train.</summary>
    public double HeldOut => !double.IsNaN(Test) ? Test : !double.IsNaN(Dev) ? Dev : Train;
}

/// <summary>One cell of the grid: a probe on k neurons picked top / bottom / random from a ranking.</summary>
public sealed record GridCell(string Ranking, string Selection, string Probe, int K,
    SplitAccuracies Task, SplitAccuracies Control)
{
    /// <summary>Task − control accuracy on the held-out split (NaN without a control task).</summary>
    public double Selectivity => Task.HeldOut - Control.HeldOut;
}

public sealed record OracleResult(string Probe, SplitAccuracies Task, SplitAccuracies Control)
{
    public double Selectivity => Task.HeldOut - Control.HeldOut;
}

/// <summary>Durrani's minimal neuron set for a ranking × probe: the smallest top-k, found by a
/// binary search over k on the selection split (dev; train only when there is no dev split),
/// whose accuracy there is within the margin of the oracle's accuracy there (Size = -1 when none
/// is). <see cref="Accuracy"/> is its test accuracy (the figure to report: test never chose k),
/// <see cref="OracleAccuracy"/> the oracle's; how its neurons spread over layers (layer → count;
/// -1 for hook points outside the blocks); its control-task accuracy and selectivity.</summary>
public sealed record MinimalSet(string Ranking, string Probe, int Size, double Accuracy, double OracleAccuracy, double Margin,
    IReadOnlyDictionary<int, int> LayerCounts)
{
    /// <summary>"dev" or "train": the split k was chosen on.</summary>
    public string SelectedOn { get; init; } = "dev";
    public double SelectionAccuracy { get; init; } = double.NaN;
    public double OracleSelectionAccuracy { get; init; } = double.NaN;
    public double ControlAccuracy { get; init; } = double.NaN;
    /// <summary>Test accuracy − control test accuracy of the set (NaN without a control task).</summary>
    public double Selectivity => Accuracy - ControlAccuracy;
    /// <summary>The k values the search evaluated (grid k values included), ascending.</summary>
    public IReadOnlyList<int> Evaluated { get; init; } = [];
}

/// <summary>A plugin that failed (threw, hung, crashed its worker, returned unusable output): its
/// name as configured, its kind and what went wrong. The rest of the analysis went on without it.</summary>
public sealed record PluginFailure(string Plugin, PluginKind Kind, string Message);

/// <summary>Everything a plot of the grid needs.</summary>
public sealed record GridResult(
    string Task,
    IReadOnlyList<string> ClassNames,
    SplitAccuracies MajorityBaseline,
    IReadOnlyList<Ranking> Rankings,
    IReadOnlyList<GridCell> Cells,
    IReadOnlyList<OracleResult> Oracles,
    IReadOnlyList<MinimalSet> MinimalSets,
    IReadOnlyList<PluginFailure> Failures)
{
    /// <summary>The grid was cancelled: what it holds is what finished before.</summary>
    public bool Cancelled { get; init; }
    /// <summary>Every random-k draw per probe and k, with mean, sd and interval (the random
    /// cells in <see cref="Cells"/> hold the mean over the draws).</summary>
    public IReadOnlyList<RandomBaseline> RandomBaselines { get; init; } = [];
    /// <summary>Seeds of the random draws, draw 0 first.</summary>
    public IReadOnlyList<ulong> RandomSeeds { get; init; } = [];
    /// <summary>Top vs random, top vs bottom and ranking vs ranking at every k, per probe.</summary>
    public IReadOnlyList<SelectionComparison> Comparisons { get; init; } = [];
    public IReadOnlyList<RankingTies> Ties { get; init; } = [];
    public IReadOnlyList<OracleFractionPoint> OracleFractions { get; init; } = [];

    public GridCell? Cell(string ranking, string selection, string probe, int k) =>
        Cells.FirstOrDefault(c => c.Ranking == ranking && c.Selection == selection && c.Probe == probe && c.K == k);
}

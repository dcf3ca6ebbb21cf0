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

/// <summary>Durrani's minimal neuron set for a ranking × probe: the smallest evaluated top-k whose
/// held-out accuracy is within the margin of the oracle (Size = -1 when none is), and how its
/// neurons spread over layers (layer → count; -1 for hook points outside the blocks).</summary>
public sealed record MinimalSet(string Ranking, string Probe, int Size, double Accuracy, double OracleAccuracy, double Margin,
    IReadOnlyDictionary<int, int> LayerCounts);

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

    public GridCell? Cell(string ranking, string selection, string probe, int k) =>
        Cells.FirstOrDefault(c => c.Ranking == ranking && c.Selection == selection && c.Probe == probe && c.K == k);
}

namespace NeuronHost.Core.Reports;

/// <summary>Everything one analysis run produced. It is what <c>results.json</c> holds, what the
/// CSVs and <c>report.html</c> are made from, and what the TUI browses. Sections a run did not
/// compute stay empty (and are left out of the report).</summary>
public sealed class RunResults
{
    public int SchemaVersion { get; set; } = 1;
    /// <summary><see cref="RunStatus"/>: complete, cancelled (finished stages kept) or failed.</summary>
    public string Status { get; set; } = RunStatus.Complete;
    public string? StatusMessage { get; set; }
    /// <summary>The analysis.yaml that reproduces this run.</summary>
    public string? ConfigYaml { get; set; }
    public RunIdentity Identity { get; set; } = new();
    public List<RankingResult> Rankings { get; set; } = [];
    /// <summary>The probe × ranking × k grid (top, bottom and random selections).</summary>
    public List<AccuracyPoint> Accuracy { get; set; } = [];
    /// <summary>Each probe on all neurons (the "oracle"), and the majority-class baseline.</summary>
    public List<OracleResult> Oracle { get; set; } = [];
    public List<MinimalSetResult> MinimalSets { get; set; } = [];
    /// <summary>"Neurons to reach X of the oracle" per ranking × probe, chosen on dev.</summary>
    public List<OracleFractionResult> OracleFractions { get; set; } = [];
    /// <summary>Every random-k draw of the grid per probe and k, with mean, sd and 95% interval
    /// (the "random" rows of <see cref="Accuracy"/> hold the mean over these draws).</summary>
    public List<RandomBaselineResult> RandomBaselines { get; set; } = [];
    /// <summary>Paired tests of the grid: top vs random, top vs bottom, ranking vs ranking.</summary>
    public List<ComparisonResult> Comparisons { get; set; } = [];
    /// <summary>Seeds and settings of the random baselines and tests; null in results written before they existed.</summary>
    public StatisticsSettings? Statistics { get; set; }
    public List<InterventionResult> Interventions { get; set; } = [];
    public List<NeuronContexts> TopNeuronContexts { get; set; } = [];
    public List<StageTiming> Timings { get; set; } = [];
    /// <summary>Plugins that failed (threw, hung, crashed, returned unusable output); the run went
    /// on without them. Non-empty: the CLI exits with code 4.</summary>
    public List<PluginFailureResult> PluginFailures { get; set; } = [];
    /// <summary>Only for a run on a cluster (<c>run --cluster</c>).</summary>
    public ClusterRunResult? Cluster { get; set; }
}

/// <summary>One failed plugin: its configured name, its kind (ranking, probe, intervention) and why.</summary>
public sealed class PluginFailureResult
{
    public string Plugin { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Reason { get; set; } = "";
}

public static class RunStatus
{
    public const string Complete = "complete";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
}

/// <summary>What was analysed: model, corpus, task, hook points, and the run's settings.</summary>
public sealed class RunIdentity
{
    public string Model { get; set; } = "";
    public string ModelFamily { get; set; } = "";
    /// <summary>The model's identity/hash as the runtime reports it.</summary>
    public string ModelIdentity { get; set; } = "";
    public string Corpus { get; set; } = "";
    public string CorpusFormat { get; set; } = "";
    public string CorpusIdentity { get; set; } = "";
    public string Task { get; set; } = "";
    public List<string> Classes { get; set; } = [];
    public List<string> HookPoints { get; set; } = [];
    public string Aggregation { get; set; } = "";
    /// <summary>What the model read: "text" (N sentences as their # text, the rest as words) or "words".</summary>
    public string LmInput { get; set; } = "";
    public string Backend { get; set; } = "";
    public int Seed { get; set; }
    public long TrainTokens { get; set; }
    public long DevTokens { get; set; }
    public long TestTokens { get; set; }
    public int Neurons { get; set; }
}

/// <summary>One ranking: neurons best first.</summary>
public sealed class RankingResult
{
    public string Name { get; set; } = "";
    /// <summary>The plugin that computed it (Name may carry a variant, e.g. "linear-pitfalls").</summary>
    public string Plugin { get; set; } = "";
    public Dictionary<string, string> Parameters { get; set; } = [];
    public List<RankedNeuronResult> Neurons { get; set; } = [];
    /// <summary>Neurons sharing the ranking's lowest score (e.g. zero L1 weight): bottom-k samples among them with the run's seed.</summary>
    public int? TiedAtBottom { get; set; }
    public double? BottomScore { get; set; }
    /// <summary>Neurons sharing the ranking's highest score.</summary>
    public int? TiedAtTop { get; set; }
}

public sealed class RankedNeuronResult
{
    public int Rank { get; set; }
    public string HookPoint { get; set; } = "";
    public int Index { get; set; }
    public int Layer { get; set; }
    public double Score { get; set; }
    /// <summary>Column in the activation matrix the ranking was computed on.</summary>
    public int Column { get; set; }
    public string Neuron => $"{HookPoint}[{Index}]";
}

public static class Selection
{
    public const string Top = "top";
    public const string Bottom = "bottom";
    public const string Random = "random";
}

/// <summary>One cell of the probe × ranking grid: a probe trained on k neurons chosen by a
/// ranking (<see cref="Selection"/> top, bottom or random) and its accuracies.</summary>
public sealed class AccuracyPoint
{
    public string Ranking { get; set; } = "";
    public string Probe { get; set; } = "";
    public string Selection { get; set; } = Reports.Selection.Top;
    public int K { get; set; }
    public double? TrainAccuracy { get; set; }
    public double? DevAccuracy { get; set; }
    public double? TestAccuracy { get; set; }
    /// <summary>Accuracy on the control task with the same neurons and probe.</summary>
    public double? ControlAccuracy { get; set; }
    /// <summary>Task accuracy − control accuracy.</summary>
    public double? Selectivity { get; set; }
}

public sealed class OracleResult
{
    public string Probe { get; set; } = "";
    public int Neurons { get; set; }
    public double? TrainAccuracy { get; set; }
    public double? DevAccuracy { get; set; }
    public double? TestAccuracy { get; set; }
    public double? ControlAccuracy { get; set; }
    public double? Selectivity { get; set; }
    public double? MajorityBaseline { get; set; }
}

/// <summary>The smallest top-k of a ranking whose probe reaches the oracle within a margin, and
/// how those neurons spread over layers.</summary>
public sealed class MinimalSetResult
{
    public string Ranking { get; set; } = "";
    public string Probe { get; set; } = "";
    public int K { get; set; }
    public double Accuracy { get; set; }
    public double OracleAccuracy { get; set; }
    public double Margin { get; set; }
    public bool Reached { get; set; }
    public List<LayerCount> Layers { get; set; } = [];
    /// <summary>Split the size was chosen on ("dev"; "train" without a dev split). Accuracy is the test accuracy.</summary>
    public string? SelectedOn { get; set; }
    public double? SelectionAccuracy { get; set; }
    public double? OracleSelectionAccuracy { get; set; }
    /// <summary>Control-task test accuracy of the same neurons and probe, and task − control.</summary>
    public double? ControlAccuracy { get; set; }
    public double? Selectivity { get; set; }
    /// <summary>The k values the binary search evaluated (grid k values included).</summary>
    public List<int> EvaluatedK { get; set; } = [];
}

/// <summary>The smallest top-k of a ranking reaching Fraction × the oracle's accuracy on the
/// selection split (binary search on dev), with its test accuracy; K = -1 when not reached.</summary>
public sealed class OracleFractionResult
{
    public string Ranking { get; set; } = "";
    public string Probe { get; set; } = "";
    public double Fraction { get; set; }
    public int K { get; set; }
    public bool Reached { get; set; }
    public string SelectedOn { get; set; } = "dev";
    public double? SelectionAccuracy { get; set; }
    public double? TestAccuracy { get; set; }
}

/// <summary>The random-k baseline of one probe at one k: each seeded draw and their summary.</summary>
public sealed class RandomBaselineResult
{
    public string Probe { get; set; } = "";
    public int K { get; set; }
    public int Draws { get; set; }
    public double? Mean { get; set; }
    public double? Sd { get; set; }
    public double? Low95 { get; set; }
    public double? High95 { get; set; }
    public double? Min { get; set; }
    public double? Max { get; set; }
    public List<RandomDrawResult> Values { get; set; } = [];
}

public sealed class RandomDrawResult
{
    public int Draw { get; set; }
    public ulong Seed { get; set; }
    public double? TestAccuracy { get; set; }
    public double? DevAccuracy { get; set; }
    /// <summary>Only the first draw is scored on the control task.</summary>
    public double? ControlAccuracy { get; set; }
}

/// <summary>One paired comparison (accuracy of A − accuracy of B over the held-out tokens) with
/// its 95% bootstrap interval and sign-flip permutation p-value; for top vs random also the
/// p-value of A against the spread of the random draws. Distinguishable: every p &lt; 0.05 and
/// the interval excludes 0.</summary>
public sealed class ComparisonResult
{
    /// <summary>top_vs_random, top_vs_bottom or ranking_vs_ranking.</summary>
    public string Kind { get; set; } = "";
    public string Probe { get; set; } = "";
    public int K { get; set; }
    public string A { get; set; } = "";
    public string B { get; set; } = "";
    public int Items { get; set; }
    public double? MeanDifference { get; set; }
    public double? Low95 { get; set; }
    public double? High95 { get; set; }
    public double? PValue { get; set; }
    public double? DrawPValue { get; set; }
    public bool Distinguishable { get; set; }
    public ulong Seed { get; set; }
}

/// <summary>How the baselines and tests of a run were drawn, so they can be repeated.</summary>
public sealed class StatisticsSettings
{
    public int RandomDraws { get; set; }
    public List<ulong> RandomSeeds { get; set; } = [];
    public int TestRounds { get; set; }
    public ulong TestSeed { get; set; }
    public string Items { get; set; } = "held-out tokens";
    public string Interval { get; set; } = "";
    public string Test { get; set; } = "";
}

public sealed record LayerCount(int Layer, int Count);

/// <summary>An intervention plugin's report: headline numbers and tables (cells are numbers,
/// strings or booleans).</summary>
public sealed class InterventionResult
{
    public string Method { get; set; } = "";
    public Dictionary<string, double> Summary { get; set; } = [];
    public List<TableData> Tables { get; set; } = [];
}

public sealed class TableData
{
    public string Name { get; set; } = "";
    public List<string> Columns { get; set; } = [];
    public List<List<object?>> Rows { get; set; } = [];

    public int ColumnIndex(string name) =>
        Columns.FindIndex(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A top neuron of a ranking with the words (in context) that activate it most.</summary>
public sealed class NeuronContexts
{
    public string Ranking { get; set; } = "";
    public int Rank { get; set; }
    public string HookPoint { get; set; } = "";
    public int Index { get; set; }
    public int Layer { get; set; }
    public double Score { get; set; }
    public List<ActivatingContext> Examples { get; set; } = [];
    public string Neuron => $"{HookPoint}[{Index}]";
}

public sealed class ActivatingContext
{
    public double Activation { get; set; }
    public string Word { get; set; } = "";
    public string Left { get; set; } = "";
    public string Right { get; set; } = "";
    public string? Label { get; set; }
}

public sealed record StageTiming(string Stage, double Seconds);

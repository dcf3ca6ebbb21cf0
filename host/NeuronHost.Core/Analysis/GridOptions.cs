using NeuronHost.Sdk;

namespace NeuronHost.Core.Analysis;

/// <summary>Control-task labels (Hewitt &amp; Liang) over the same tokens as the task: one label
/// array per split, indexes into <paramref name="ClassNames"/>.</summary>
public sealed record ControlLabels(IReadOnlyList<string> ClassNames, ReadOnlyMemory<int> Train, ReadOnlyMemory<int>? Dev = null, ReadOnlyMemory<int>? Test = null)
{
    /// <summary>The labels of a control task given as its own <see cref="ProbingData"/> over the
    /// same tokens (as the data area's StoreTaskData.Control is).</summary>
    public static ControlLabels From(ProbingData control) =>
        new(control.ClassNames, control.Train.Labels, control.Dev?.Labels, control.Test?.Labels);
}

/// <summary>What the probe × ranking grid evaluates.</summary>
public sealed record GridOptions
{
    /// <summary>Every k of Pitfalls (1 … 150, step 1). Thorough but slow: one probe per k, selection, probe.</summary>
    public static IReadOnlyList<int> PitfallsK { get; } = Enumerable.Range(1, 150).ToArray();

    /// <summary>Default k grid: Pitfalls' range 1 … 150, dense where curves bend (small k).</summary>
    public static IReadOnlyList<int> DefaultK { get; } = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 25, 30, 40, 50, 60, 75, 100, 125, 150];

    /// <summary>k values; those above the number of neurons are dropped (with a log message).</summary>
    public IReadOnlyList<int> KValues { get; init; } = DefaultK;
    public bool Bottom { get; init; } = true;
    /// <summary>Evaluate seeded random-k draws (the same draws for every probe and ranking).</summary>
    public bool Random { get; init; } = true;
    /// <summary>How many random-k draws (each its own seeded set); mean, sd and 95% interval are reported.</summary>
    public int RandomDraws { get; init; } = 10;
    /// <summary>Bootstrap resamples and sign-flip permutations of each paired comparison.</summary>
    public int TestRounds { get; init; } = 2000;
    /// <summary>"Neurons to reach X of the oracle": the fractions searched for on dev.</summary>
    public IReadOnlyList<double> OracleFractions { get; init; } = [0.9, 0.95, 0.99];
    /// <summary>Train every probe on all neurons (the Durrani "oracle").</summary>
    public bool Oracle { get; init; } = true;
    /// <summary>Durrani's minimal set: smallest top-k within this absolute accuracy of the oracle
    /// (on dev, found by binary search over k; its test accuracy is reported).</summary>
    public double MinimalSetMargin { get; init; } = 0.01;
    /// <summary>Control labels for selectivity; null = no control task.</summary>
    public ControlLabels? Control { get; init; }
    /// <summary>Activations of other models/layers on the train tokens (cross-model ranking).</summary>
    public IReadOnlyList<IActivationMatrix>? OtherModels { get; init; }
}

namespace NeuronHost.Data.Tasks;

public enum SplitMode
{
    /// <summary>The corpus's own train/dev/test when it has a "train" split, else Random.</summary>
    Auto,
    /// <summary>The corpus's own train/dev/test files (an error when it has no "train").</summary>
    Standard,
    /// <summary>Sentences shuffled with the seed, then cut by the fractions.</summary>
    Random,
}

public enum Balancing
{
    None,
    /// <summary>Downsample every class of the train split to its smallest class (seeded).</summary>
    Train,
    /// <summary>The same in every split.</summary>
    AllSplits,
}

/// <summary>How a labelled task is derived from a corpus.</summary>
public sealed record TaskOptions
{
    /// <summary>The one default of every place a user sets the minimum class count (rank and
    /// export --min-count, analysis.yaml task.min-class-count, the TUI, the demo): 20 keeps the
    /// rarer POS tags of a few thousand sentences; Antverg &amp; Belinkov used 100 on full corpora.</summary>
    public const int DefaultMinCount = 20;

    /// <summary>Label values with fewer train tokens than this are dropped from the task, with
    /// their tokens, in every split.</summary>
    public int MinCount { get; init; } = DefaultMinCount;
    public SplitMode Splits { get; init; } = SplitMode.Auto;
    /// <summary>For random splits: fraction of sentences in train and dev (test gets the rest).</summary>
    public double TrainFraction { get; init; } = 0.8;
    public double DevFraction { get; init; } = 0.1;
    public Balancing Balance { get; init; } = Balancing.None;
    /// <summary>Also build the Hewitt &amp; Liang control task.</summary>
    public bool Control { get; init; }
    /// <summary>Seed for random splits, balancing and control labels.</summary>
    public int Seed { get; init; } = 1;
}

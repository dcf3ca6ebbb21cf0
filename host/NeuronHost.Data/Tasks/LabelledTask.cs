namespace NeuronHost.Data.Tasks;

/// <summary>The tokens of one split of a task, in ascending row order: the row of each token in
/// the corpus's <see cref="TokenTable"/> (= activation store row), its label (index into the
/// task's class names), its word form, and its control-task label when one was built.</summary>
public sealed record TaskSplitTokens(string Name, long[] Rows, int[] Labels, string[] Words, int[]? ControlLabels)
{
    public int Count => Rows.Length;
}

/// <summary>A labelled token set: class names (ordinal order) and the splits.</summary>
public sealed record LabelledTask(
    string Name,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<TaskSplitTokens> Splits,
    IReadOnlyList<string> DroppedClasses)
{
    /// <summary>How train/dev/test were made: "the corpus's own splits" or the ratio split's description.</summary>
    public string SplitOrigin { get; init; } = "the corpus's own splits";

    public TaskSplitTokens? Split(string name) => Splits.FirstOrDefault(s => s.Name == name);
    public TaskSplitTokens Train => Split("train") ?? throw new InvalidOperationException($"task {Name} has no train split");
}

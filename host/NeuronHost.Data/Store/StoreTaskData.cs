using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Store;

/// <summary>A task over a store: the <see cref="ProbingData"/> rankings and probes take, the
/// Hewitt &amp; Liang control task over the same tokens (when asked), and the labelled token set.</summary>
public sealed record StoreTaskData(ProbingData Data, ProbingData? Control, LabelledTask Task)
{
    /// <summary>Derives the task from the store's token annotations (tokens.tsv) and wraps each
    /// split's rows as a streaming view over the shards.</summary>
    public static StoreTaskData Build(ActivationStore store, TaskSpec spec, TaskOptions? options = null) =>
        Build(store.Tokens, store.SelectRows, spec, options);

    /// <summary>The task over rows that are not here (a cluster's silos kept them): its labels and
    /// splits as usual; reading a split's activations is an error naming where the rows are.</summary>
    public static StoreTaskData Build(RowsElsewhere rows, TaskSpec spec, TaskOptions? options = null) =>
        Build(rows.Tokens, rows.Select, spec, options);

    private static StoreTaskData Build(TokenTable tokens, Func<long[], IActivationMatrix> select, TaskSpec spec, TaskOptions? options)
    {
        var task = TaskBuilder.Build(tokens, spec, options);
        DataSplit? Split(string name, bool control)
        {
            var s = task.Split(name);
            if (s is null || s.Count == 0) return null;
            var labels = control ? s.ControlLabels! : s.Labels;
            return new DataSplit(select(s.Rows), labels, s.Words)
            {
                WordClasses = s.Rows.Select(r => tokens.Words[r].Upos).ToArray(),
            };
        }
        ProbingData Make(bool control) => new(
            control ? task.Name + "-control" : task.Name,
            task.ClassNames,
            Split("train", control) ?? throw new InvalidOperationException($"task {task.Name} has no train tokens"),
            Split("dev", control),
            Split("test", control));
        return new StoreTaskData(Make(false), options?.Control == true ? Make(true) : null, task);
    }
}

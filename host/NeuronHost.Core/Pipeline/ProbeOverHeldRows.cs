using NeuronHost.Core.Analysis;
using NeuronHost.Core.Config;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>A probe over rows kept by their holders, as the probe grid calls probes: each cell is
/// the plugin's <see cref="IProbeOverHeldRows.TrainOverHeldRows"/> on the coordinator (in this
/// process: the holders' answers come back to it), its services on the holders. One line to the
/// holders per labelling the grid asks for (the task's, the control task's), opened on first use
/// with those labels and kept for every cell after; disposing closes them.</summary>
internal sealed class ProbeOverHeldRows(IProbeOverHeldRows plugin, PluginUse use, IHeldTrainRows held, Version version, LabelledTask task)
    : IProbe, IHeldRowsProbe, IDisposable
{
    private readonly List<(ProbingData Data, IRowHolders Line)> lines = [];

    /// <summary>Named as the analysis names the use, as the grid's other probes are.</summary>
    public PluginInfo Info => plugin.Info with { Name = use.DisplayName };
    public int MaxNeurons => plugin.MaxNeurons;

    public ITrainedProbe Train(ProbingData data, IReadOnlyList<int> columns, IPluginContext context) =>
        throw new InvalidOperationException($"probe '{use.DisplayName}' runs where the rows are ({held.Where}); it has no model here to predict with");

    public (SplitAccuracies Accuracies, bool[] HeldOutCorrect) EvaluateItems(ProbingData data, int[] columns, IPluginContext context)
    {
        var heldTask = new HeldRowsTask(data.Task, data.ClassNames, data.Neurons, data.Train.Tokens)
        {
            DevRows = data.Dev?.Tokens ?? 0, TestRows = data.Test?.Tokens ?? 0,
        };
        var scores = plugin.TrainOverHeldRows(heldTask, columns, Line(data, heldTask, context), context);
        return (new SplitAccuracies(scores.Train, scores.Dev, scores.Test), scores.HeldOutCorrect);
    }

    /// <summary>The line to the holders for this data's labels: the same label arrays as a line
    /// opened before (the grid passes the task's and the control task's over and over) reuse it.</summary>
    private IRowHolders Line(ProbingData data, HeldRowsTask heldTask, IPluginContext context)
    {
        foreach (var (known, line) in lines)
            if (SameLabels(known.Train, data.Train) && SameLabels(known.Dev, data.Dev) && SameLabels(known.Test, data.Test)) return line;
        HeldSplit? Split(string name, DataSplit? split)
        {
            if (split is null || split.Tokens == 0) return null;
            var rows = task.Split(name)?.Rows ?? throw new InvalidOperationException($"task {task.Name} has no {name} split here");
            if (rows.LongLength != split.Tokens) throw new InvalidOperationException($"the {name} split has {split.Tokens} rows, the task {rows.LongLength}");
            return new HeldSplit(rows, split.Labels.ToArray());
        }
        var splits = new HeldSplits(Split("train", data.Train)!, Split("dev", data.Dev), Split("test", data.Test));
        context.Log.Info($"probe '{use.DisplayName}' on task '{data.Task}' over the rows kept on {held.Where} ({heldTask.TrainRows:N0} train, {heldTask.DevRows:N0} dev, {heldTask.TestRows:N0} test rows): they do not leave them");
        var opened = held.OpenProbe(use, plugin.GetType(), version, heldTask, splits, context.Cancellation);
        lines.Add((data, opened));
        return opened;
    }

    private static bool SameLabels(DataSplit? a, DataSplit? b) =>
        a is null ? b is null : b is not null && a.Labels.Equals(b.Labels);

    public void Dispose()
    {
        foreach (var (_, line) in lines) (line as IDisposable)?.Dispose();
        lines.Clear();
    }
}

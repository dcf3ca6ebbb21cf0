using NeuronHost.Core.Config;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>A task's rows kept by the hosts that extracted them (a cluster's silos), for the
/// rankings that run over the train rows (<see cref="IRankingOverHeldRows"/>) and the probes that
/// run over every split's rows (<see cref="IProbeOverHeldRows"/>). Disposing it lets the hosts drop
/// the rows.</summary>
public interface IHeldTrainRows : IDisposable
{
    /// <summary>Where the rows are, for messages ("3 silos of redis://…").</summary>
    string Where { get; }
    /// <summary>The store rows and labels of the train split the holders were given: the task stage's must be these.</summary>
    long[] TrainRows { get; }
    int[] TrainLabels { get; }
    /// <summary>The ranking uses (display names) that run over these rows.</summary>
    IReadOnlyList<string> Rankings { get; }
    /// <summary>The probe uses (display names) that run over these rows.</summary>
    IReadOnlyList<string> Probes { get; }

    /// <summary>Starts the use's plugin on every holder over its rows (the plugin with the same
    /// name, version and parameters on each) and returns the coordinator's line to them; disposing
    /// it stops them.</summary>
    IRowHolders Open(PluginUse use, Type pluginType, Version pluginVersion, HeldRowsTask task, CancellationToken cancellation);

    /// <summary>Starts a probe use's plugin on every holder of rows of the splits, over its train, dev
    /// and test rows with the labels given here (the task's, or the control task's), and returns
    /// the coordinator's line to them (<see cref="IRowHolders.Ranges"/>: the train rows); disposing
    /// it stops them.</summary>
    IRowHolders OpenProbe(PluginUse use, Type pluginType, Version pluginVersion, HeldRowsTask task, HeldSplits splits, CancellationToken cancellation);
}

/// <summary>A split's store rows, in the split's order, and the labels a probe trains or is scored on.</summary>
public sealed record HeldSplit(long[] Rows, int[] Labels);

/// <summary>The splits a probe over held rows is given (dev and test null when the task has none).</summary>
public sealed record HeldSplits(HeldSplit Train, HeldSplit? Dev, HeldSplit? Test);

/// <summary>A ranking over held train rows, as the probe grid calls rankings: the plugin's
/// <see cref="IRankingOverHeldRows.RankOverHeldRows"/> on the coordinator (in this process: the
/// holders' answers come back to it), its services on the holders.</summary>
internal sealed class RankingOverHeldRows(IRankingOverHeldRows plugin, PluginUse use, IHeldTrainRows held, Version version) : IRankingMethod
{
    public PluginInfo Info => plugin.Info;

    public Ranking Rank(RankingRequest request, IPluginContext context)
    {
        var data = request.Data;
        var task = new HeldRowsTask(data.Task, data.ClassNames, data.Neurons, data.Train.Tokens);
        context.Log.Info($"ranking '{use.DisplayName}' over the train rows kept on {held.Where} ({task.TrainRows:N0} rows): they do not leave them");
        var holders = held.Open(use, plugin.GetType(), version, task, context.Cancellation);
        try { return plugin.RankOverHeldRows(task, holders, context) with { Method = use.DisplayName }; }
        finally { (holders as IDisposable)?.Dispose(); }
    }
}

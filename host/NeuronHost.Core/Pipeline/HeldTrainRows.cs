using NeuronHost.Core.Config;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>A task's train rows kept by the hosts that extracted them (a cluster's silos), for
/// the rankings that run over them (<see cref="IRankingOverHeldRows"/>). Disposing it lets the
/// hosts drop the rows.</summary>
public interface IHeldTrainRows : IDisposable
{
    /// <summary>Where the rows are, for messages ("3 silos of redis://…").</summary>
    string Where { get; }
    /// <summary>The store rows and labels of the train split the holders were given: the task stage's must be these.</summary>
    long[] TrainRows { get; }
    int[] TrainLabels { get; }
    /// <summary>The ranking uses (display names) that run over these rows.</summary>
    IReadOnlyList<string> Rankings { get; }

    /// <summary>Starts the use's plugin on every holder over its rows (the plugin with the same
    /// name, version and parameters on each) and returns the coordinator's line to them; disposing
    /// it stops them.</summary>
    IRowHolders Open(PluginUse use, Type pluginType, Version pluginVersion, HeldRowsTask task, CancellationToken cancellation);
}

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

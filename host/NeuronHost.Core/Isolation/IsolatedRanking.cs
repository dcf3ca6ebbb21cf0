using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Isolation;

/// <summary>A ranking plugin run in a worker process: a new one for its first call, and for later
/// calls with the same parameters and data the worker of the last call when that one answered
/// (see <see cref="IdleWorkers"/>). Data that does not come
/// from an activation store (or other models' activations for cross-model rankings) cannot be
/// mapped by a worker; such calls run in process, guarded.</summary>
internal sealed class IsolatedRanking(PluginCatalog catalog, LoadedPlugin plugin, IReadOnlyDictionary<string, string>? parameters,
    string displayName, IsolationOptions options) : IRankingMethod
{
    public PluginInfo Info => plugin.Info with { Name = displayName };

    public Ranking Rank(RankingRequest request, IPluginContext context)
    {
        var setup = request.OtherModels is { Count: > 0 } ? null
            : WorkerSetup.For(plugin.Name, PluginKind.Ranking, parameters, WorkerSetup.FolderOf(plugin), context.Seed, options.Backend, request.Data);
        if (options.InProcess || setup is null)
        {
            var inner = catalog.Create<IRankingMethod>(plugin.Name, parameters);
            return GuardedCall.Run(displayName, PluginKind.Ranking, options.Timeout, context.Cancellation,
                () => inner.Rank(request, context)) with { Method = displayName };
        }
        var worker = PluginWorker.Start(setup, displayName, options, context.Log, context.Cancellation);
        try
        {
            worker.PostLabels(0, request.Data);
            var body = worker.Call(WorkerMessage.Rank, w => w.Write(0), WorkerMessage.Ranked, context.Progress, context.Cancellation);
            body.ReadString();
            int count = body.ReadInt32();
            if (count < 0) throw new PluginFailedException(displayName, PluginKind.Ranking, "its worker sent a negative neuron count");
            var order = new RankedNeuron[count];
            for (int i = 0; i < count; i++)
                order[i] = new RankedNeuron(body.ReadInt32(), new NeuronRef(body.ReadString(), body.ReadInt32()), body.ReadDouble());
            WorkerTrace.Mark("host: ranking read");
            return new Ranking(displayName, order);
        }
        finally
        {
            // A worker whose call answered waits for the next call of this ranking on the same data.
            worker.Release();
        }
    }
}

/// <summary>The labels of one task (or its control task) over the worker's splits.</summary>
internal static class LabelSet
{
    public static void Write(BinaryWriter w, int id, ProbingData data)
    {
        w.Write(id);
        w.Write(data.Task);
        w.WriteStrings(data.ClassNames);
        foreach (var split in new[] { data.Train, data.Dev, data.Test })
            w.Write(split is null ? ReadOnlySpan<int>.Empty : split.Labels.Span);
    }
}

using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Isolation;

/// <summary>A probe plugin run in one worker process for all its trainings on the same data (the
/// grid trains a probe hundreds of times; one process start each would cost more than the
/// training). Each label set (the task, its control task) is sent once. The trained probe
/// predicts the splits of the data it was trained on, in the worker; other matrices (and data not
/// read from a store) run in process, guarded. After its worker failed the probe stays failed.</summary>
internal sealed class IsolatedProbe(PluginCatalog catalog, LoadedPlugin plugin, IReadOnlyDictionary<string, string>? parameters,
    string displayName, int maxNeurons, IsolationOptions options) : IProbe, IDisposable
{
    private PluginWorker? worker;
    private ProbingData? workerData;
    private readonly List<ReadOnlyMemory<int>> sentLabels = [];
    private int generation;

    public PluginInfo Info => plugin.Info with { Name = displayName };
    public int MaxNeurons => maxNeurons;

    public ITrainedProbe Train(ProbingData data, IReadOnlyList<int> columns, IPluginContext context)
    {
        var w = WorkerFor(data, context);
        if (w is null) return TrainInProcess(data, columns, context);
        int labelSet = LabelSetOf(w, data);
        var body = w.Call(WorkerMessage.Train, x => { x.Write(labelSet); x.Write(columns.ToArray()); }, WorkerMessage.Trained,
            context.Progress, context.Cancellation);
        return new RemoteTrainedProbe(this, body.ReadInts(), ++generation, context);
    }

    private ITrainedProbe TrainInProcess(ProbingData data, IReadOnlyList<int> columns, IPluginContext context)
    {
        var inner = catalog.Create<IProbe>(plugin.Name, parameters);
        var trained = GuardedCall.Run(displayName, PluginKind.Probe, options.Timeout, context.Cancellation, () => inner.Train(data, columns, context));
        return new GuardedTrainedProbe(trained, displayName, options.Timeout, context.Cancellation);
    }

    private PluginWorker? WorkerFor(ProbingData data, IPluginContext context)
    {
        if (options.InProcess) return null;
        if (worker is not null && workerData is not null && SameMatrices(workerData, data)) return worker;
        var setup = WorkerSetup.For(plugin.Name, PluginKind.Probe, parameters, WorkerSetup.FolderOf(plugin), context.Seed, options.Backend, data);
        if (setup is null) return null;
        worker?.Dispose();
        sentLabels.Clear();
        worker = null;
        worker = PluginWorker.Start(setup, displayName, options, context.Log, context.Cancellation);
        workerData = data;
        return worker;
    }

    private static bool SameMatrices(ProbingData a, ProbingData b) =>
        ReferenceEquals(a.Train.Activations, b.Train.Activations)
        && ReferenceEquals(a.Dev?.Activations, b.Dev?.Activations)
        && ReferenceEquals(a.Test?.Activations, b.Test?.Activations);

    private int LabelSetOf(PluginWorker w, ProbingData data)
    {
        int id = sentLabels.FindIndex(l => l.Equals(data.Train.Labels));
        if (id >= 0) return id;
        id = sentLabels.Count;
        w.Post(WorkerMessage.Labels, x => LabelSet.Write(x, id, data));
        sentLabels.Add(data.Train.Labels);
        return id;
    }

    private int[] Predict(int trainedGeneration, IActivationMatrix matrix, IPluginContext context)
    {
        if (trainedGeneration != generation || worker is null || workerData is null)
            throw new PluginFailedException(displayName, PluginKind.Probe, "a trained probe was used after the next training (the worker keeps only the last one)");
        int split = ReferenceEquals(matrix, workerData.Train.Activations) ? 0
            : ReferenceEquals(matrix, workerData.Dev?.Activations) ? 1
            : ReferenceEquals(matrix, workerData.Test?.Activations) ? 2
            : throw new PluginFailedException(displayName, PluginKind.Probe, "out of process, a trained probe predicts only the splits it was trained with (use --in-process)");
        var body = worker.Call(WorkerMessage.Predict, x => x.Write(split), WorkerMessage.Predicted, context.Progress, context.Cancellation);
        return body.ReadInts();
    }

    public void Dispose()
    {
        worker?.Dispose();
        worker = null;
    }

    private sealed class RemoteTrainedProbe(IsolatedProbe owner, int[] columns, int generation, IPluginContext context) : ITrainedProbe
    {
        public IReadOnlyList<int> Columns => columns;
        public int[] Predict(IActivationMatrix activations) => owner.Predict(generation, activations, context);
    }
}

/// <summary>An in-process trained probe whose predictions run under the same guard as training.</summary>
internal sealed class GuardedTrainedProbe(ITrainedProbe inner, string plugin, TimeSpan? timeout, CancellationToken cancellation) : ITrainedProbe
{
    public IReadOnlyList<int> Columns => inner.Columns;
    public int[] Predict(IActivationMatrix activations) =>
        GuardedCall.Run(plugin, PluginKind.Probe, timeout, cancellation, () => inner.Predict(activations));
}

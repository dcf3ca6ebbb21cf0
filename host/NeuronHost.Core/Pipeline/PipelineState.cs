using NeuronHost.Core.Analysis;
using NeuronHost.Core.Config;
using NeuronHost.Core.Isolation;
using NeuronHost.Core.Plugins;
using NeuronHost.Core.Reports;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Store;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>What the stages hand each other. Each stage fills its part; later stages read it.</summary>
public sealed class PipelineState(AnalysisConfig config, PluginCatalog plugins, IComputeKernels kernels,
    IProgress<ProgressReport> progress, PipelineLog log, CancellationToken cancellation, IsolationOptions? isolation = null) : IDisposable
{
    /// <summary>How plugin calls are isolated (worker processes by default).</summary>
    public IsolationOptions Isolation { get; } = isolation ?? IsolationOptions.Default;

    /// <summary>Records a failed plugin in the results and the log; the run goes on.</summary>
    public void PluginFailed(string plugin, PluginKind kind, string reason)
    {
        Results.PluginFailures.Add(new PluginFailureResult { Plugin = plugin, Kind = LoadedPlugin.KindToText(kind), Reason = reason });
        Log.Warn($"{LoadedPlugin.KindToText(kind)} '{plugin}' failed: {reason}");
    }

    public AnalysisConfig Config { get; } = config;
    public PluginCatalog Plugins { get; } = plugins;
    public IComputeKernels Kernels { get; } = kernels;
    public IProgress<ProgressReport> Progress { get; } = progress;
    public PipelineLog Log { get; } = log;
    public CancellationToken Cancellation { get; } = cancellation;
    public RunResults Results { get; } = new();

    public IModelSession? Model { get; set; }
    public Corpus? Corpus { get; set; }
    public ActivationStore? Store { get; set; }
    public StoreTaskData? Task { get; set; }
    public GridResult? Grid { get; set; }
    /// <summary>Train-row class moments merged on a cluster's coordinator, for the rankings that need nothing else.</summary>
    public MergedTrainMoments? TrainMoments { get; set; }
    /// <summary>Set instead of <see cref="Store"/> when the rows stayed on a cluster's silos (every plugin ran from merged statistics).</summary>
    public RowsElsewhere? RowsElsewhere { get; set; }
    /// <summary>The train rows a cluster's silos kept, for the rankings that run over them.</summary>
    public IHeldTrainRows? HeldRows { get; set; }

    public T Need<T>(T? value, string what) where T : class =>
        value ?? throw new InvalidOperationException($"pipeline: {what} is not ready (a stage ran out of order)");

    /// <summary>The context plugins get: kernels, this run's progress/log/cancellation and seed.</summary>
    public IPluginContext PluginContext() => new Sdk.PluginContext(Kernels)
    {
        Progress = Progress, Log = Log, Cancellation = Cancellation, Seed = Config.Seed,
    };

    public void Dispose()
    {
        HeldRows?.Dispose();
        Store?.Dispose();
        (Model as IDisposable)?.Dispose();
        (Kernels as IDisposable)?.Dispose();   // a GPU backend holds its device and ILGPU context
    }
}

/// <summary>One step of the analysis. Stages are small and run in order; each reports its own
/// progress under its <see cref="Name"/>.</summary>
public interface IPipelineStage
{
    string Name { get; }
    /// <summary>False when the config asks for nothing this stage does.</summary>
    bool Applies(PipelineState state) => true;
    void Run(PipelineState state);
}

using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Isolation;

/// <summary>Makes the ranking and probe objects the analyses call: each checks its plugin and
/// parameters in the host (a bad name or value is a config error, as before) and then runs the
/// plugin as <see cref="IsolationOptions"/> say — in a worker process by default. Dispose stops
/// the workers still running.</summary>
public sealed class PluginRunners : IDisposable
{
    private readonly PluginCatalog catalog;
    private readonly IsolationOptions options;
    private readonly List<IDisposable> owned = [];

    public PluginRunners(PluginCatalog catalog, IsolationOptions options)
    {
        this.catalog = catalog;
        this.options = options;
        // The first worker starts while the caller still prepares its data.
        PluginWorker.Prestart(options);
    }

    public IsolationOptions Options => options;

    /// <summary>Benchmarks: waits until the spare worker (if any) has started and connected.</summary>
    public static void WaitForSpareWorker() => PluginWorker.WaitForSpare();

    /// <summary>Benchmarks: stops the spare worker, so the next call starts its worker on demand.</summary>
    public static void StopSpareWorker() => PluginWorker.ReleaseSpare();

    /// <summary>Benchmarks: stops the idle workers kept for reuse, so the next call starts a new one.</summary>
    public static void StopIdleWorkers() => IdleWorkers.Clear();

    public IRankingMethod Ranking(string plugin, IReadOnlyDictionary<string, string>? parameters, string? displayName = null)
    {
        catalog.Create<IRankingMethod>(plugin, parameters);
        var loaded = catalog.Get(plugin);
        return new IsolatedRanking(catalog, loaded, parameters, displayName ?? loaded.Name, options);
    }

    public IProbe Probe(string plugin, IReadOnlyDictionary<string, string>? parameters, string? displayName = null)
    {
        var instance = catalog.Create<IProbe>(plugin, parameters);
        var loaded = catalog.Get(plugin);
        var probe = new IsolatedProbe(catalog, loaded, parameters, displayName ?? loaded.Name, instance.MaxNeurons, options);
        lock (owned) owned.Add(probe);
        return probe;
    }

    public void Dispose()
    {
        lock (owned)
        {
            foreach (var o in owned) o.Dispose();
            owned.Clear();
        }
        PluginWorker.ReleaseAll();
    }
}

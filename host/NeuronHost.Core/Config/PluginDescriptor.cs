using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Config;

/// <summary>What the config validator and the TUI need to know about a plugin: name, kind,
/// description and typed parameters (the plugin loader's <see cref="PluginParameter"/>).</summary>
public sealed record PluginDescriptor(string Name, PluginKind Kind, string Description, IReadOnlyList<PluginParameter> Parameters)
{
    public static PluginDescriptor From(LoadedPlugin p) => new(p.Name, p.Kind, p.Description, p.Parameters);

    /// <summary>From a plugin instance (tests, plugins compiled into the host).</summary>
    public static PluginDescriptor From(IPlugin plugin) =>
        new(plugin.Info.Name, plugin.Info.Kind, plugin.Info.Description, PluginParameters.Describe(plugin.GetType(), plugin, plugin.Info.Name));

    /// <summary>The parameter a config key names ("max-neurons", "MaxNeurons", "max_neurons").</summary>
    public PluginParameter? Find(string key) => PluginParameters.Find(Parameters, key);
}

/// <summary>The plugins the host has loaded, as the config validator and TUI see them.</summary>
public interface IPluginDirectory
{
    IReadOnlyList<PluginDescriptor> Plugins { get; }
}

/// <summary>A directory over a fixed list: the plugin catalog's plugins, or instances in tests.</summary>
public sealed class PluginDirectory(IEnumerable<PluginDescriptor> plugins) : IPluginDirectory
{
    public IReadOnlyList<PluginDescriptor> Plugins { get; } = plugins.ToList();

    public static PluginDirectory FromInstances(IEnumerable<IPlugin> plugins) => new(plugins.Select(PluginDescriptor.From));
    public static PluginDirectory FromCatalog(PluginCatalog catalog) => new(catalog.Plugins.Select(PluginDescriptor.From));
}

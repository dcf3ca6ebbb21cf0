using System.Reflection;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Config;

/// <summary>A typed plugin parameter as the config, CLI and TUI show and check it.</summary>
public sealed record ParameterDescriptor(string Name, Type Type, string Description, string? DefaultText)
{
    /// <summary>"int", "double", "bool", "one of a|b", "int list"…</summary>
    public string TypeName => ParameterValues.Describe(Type);
}

/// <summary>What the config needs to know about a plugin: name, kind, description, parameters.</summary>
public sealed record PluginDescriptor(string Name, PluginKind Kind, string Description, IReadOnlyList<ParameterDescriptor> Parameters)
{
    /// <summary>Reads the [PluginParameter] properties of a plugin instance (defaults are the
    /// values a fresh instance holds).</summary>
    public static PluginDescriptor From(IPlugin plugin)
    {
        var parameters = new List<ParameterDescriptor>();
        foreach (var p in plugin.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var attr = p.GetCustomAttribute<PluginParameterAttribute>();
            if (attr is null || !p.CanWrite) continue;
            object? value = p.CanRead ? p.GetValue(plugin) : null;
            parameters.Add(new ParameterDescriptor(p.Name, p.PropertyType, attr.Description, value is null ? null : ParameterValues.Format(value)));
        }
        return new PluginDescriptor(plugin.Info.Name, plugin.Info.Kind, plugin.Info.Description, parameters);
    }

    /// <summary>The parameter a config key names: exact, case-insensitive, or snake_case of it.</summary>
    public ParameterDescriptor? Find(string key)
    {
        string Norm(string s) => s.Replace("_", "").Replace("-", "").ToLowerInvariant();
        return Parameters.FirstOrDefault(p => p.Name == key) ?? Parameters.FirstOrDefault(p => Norm(p.Name) == Norm(key));
    }
}

/// <summary>The plugins the host has loaded, as the config validator and TUI see them.</summary>
public interface IPluginDirectory
{
    IReadOnlyList<PluginDescriptor> Plugins { get; }
}

/// <summary>A directory over a fixed list (tests, or an adapter over the plugin loader).</summary>
public sealed class PluginDirectory(IEnumerable<PluginDescriptor> plugins) : IPluginDirectory
{
    public IReadOnlyList<PluginDescriptor> Plugins { get; } = plugins.ToList();

    public static PluginDirectory FromInstances(IEnumerable<IPlugin> plugins) => new(plugins.Select(PluginDescriptor.From));
}

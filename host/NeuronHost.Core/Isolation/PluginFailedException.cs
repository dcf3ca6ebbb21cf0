using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Isolation;

/// <summary>A plugin call ended badly (threw, hung past its timeout, crashed its worker, returned
/// something unusable). The message names the plugin, its kind and the reason; the host records
/// the failure and goes on with the other plugins.</summary>
public sealed class PluginFailedException(string plugin, PluginKind kind, string reason, Exception? inner = null)
    : Exception($"{LoadedPlugin.KindToText(kind)} '{plugin}' failed: {reason}", inner)
{
    public string Plugin { get; } = plugin;
    public PluginKind Kind { get; } = kind;
    public string Reason { get; } = reason;
}

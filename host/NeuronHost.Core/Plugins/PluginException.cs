namespace NeuronHost.Core.Plugins;

/// <summary>A user-facing problem with a plugin (unknown name, bad parameter value, a plugin
/// that throws while being created). The message is one line that names the plugin; callers
/// show it without a stack trace.</summary>
public sealed class PluginException(string message, Exception? inner = null) : Exception(message, inner);

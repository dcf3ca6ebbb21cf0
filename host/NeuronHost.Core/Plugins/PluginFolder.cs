namespace NeuronHost.Core.Plugins;

/// <summary>A folder to look for plugins in, and where the host heard of it.</summary>
/// <param name="Path">absolute path of the folder (or of a single plugin .dll)</param>
/// <param name="Origin">"built-in", "--plugins", "NEURONHOST_PLUGINS", "config &lt;file&gt;", …</param>
public sealed record PluginFolder(string Path, string Origin)
{
    public const string BuiltInOrigin = "built-in";
    public bool IsBuiltIn => Origin == BuiltInOrigin;
}

/// <summary>A problem found while discovering or loading plugins: one line that names the file
/// (and the plugin, when known). The host reports it and keeps going.</summary>
/// <param name="Path">the .dll, folder or config file the problem is about</param>
/// <param name="Message">the whole line, starting with the path</param>
public sealed record PluginLoadError(string Path, string Message)
{
    public override string ToString() => Message;
}

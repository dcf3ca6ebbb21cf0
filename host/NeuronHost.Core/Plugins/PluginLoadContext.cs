using System.Reflection;
using System.Runtime.Loader;

namespace NeuronHost.Core.Plugins;

/// <summary>One plugin assembly and its private dependencies, isolated and unloadable. The SDK
/// is always the host's own assembly, so the plugin's IRankingMethod is the host's.</summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private static readonly Assembly SdkAssembly = typeof(NeuronHost.Sdk.IPlugin).Assembly;
    private readonly AssemblyDependencyResolver resolver;

    public PluginLoadContext(string pluginPath)
        : base($"plugin:{Path.GetFileNameWithoutExtension(pluginPath)}", isCollectible: true)
    {
        resolver = new AssemblyDependencyResolver(pluginPath);
    }

    protected override Assembly? Load(AssemblyName name)
    {
        if (string.Equals(name.Name, PluginAssemblyInspector.SdkAssemblyName, StringComparison.OrdinalIgnoreCase))
            return SdkAssembly;
        var path = resolver.ResolveAssemblyToPath(name);
        // Null falls back to the default context: the shared framework and the host's assemblies.
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}

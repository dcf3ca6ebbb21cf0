using NeuronHost.Sdk;

namespace NeuronHost.Core.Plugins;

/// <summary>A plugin the catalog found and checked: what it says about itself, where it came
/// from, and its parameters. Create instances with <see cref="PluginCatalog.Create{T}"/>.</summary>
public sealed record LoadedPlugin(
    PluginInfo Info,
    Type Type,
    string AssemblyPath,
    PluginFolder Source,
    IReadOnlyList<PluginParameter> Parameters)
{
    public string Name => Info.Name;
    public PluginKind Kind => Info.Kind;
    public Version Version => Info.Version;
    public string Description => Info.Description;
    /// <summary>The folder holding the plugin's .dll.</summary>
    public string Folder => Path.GetDirectoryName(AssemblyPath) ?? "";

    /// <summary>"ranking", "probe", "intervention".</summary>
    public string KindName => KindToText(Kind);

    public static string KindToText(PluginKind kind) => kind switch
    {
        PluginKind.Ranking => "ranking",
        PluginKind.Probe => "probe",
        PluginKind.Intervention => "intervention",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

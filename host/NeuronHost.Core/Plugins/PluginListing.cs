using NeuronHost.Sdk;

namespace NeuronHost.Core.Plugins;

/// <summary>A plugin as <c>plugins list</c> and <c>plugins show</c> see it: its declaration,
/// read from metadata (nothing of it ran), and where it was found.</summary>
public sealed record ListedPlugin(PluginDeclaration Declaration, string AssemblyPath, PluginFolder Source)
{
    /// <summary>The declared name, or "[Namespace.Type]" when the plugin computes its Info.</summary>
    public string Name => Declaration.Name ?? $"[{Declaration.TypeName}]";
    public PluginKind Kind => Declaration.Kind;
    public string KindName => LoadedPlugin.KindToText(Kind);
    public Version? Version => Declaration.Version;
    public string Description => Declaration.Description ?? "(computed by the plugin when it runs; not shown without running its code)";
    public string Folder => Path.GetDirectoryName(AssemblyPath) ?? "";
}

/// <summary>The plugins of a list of folders found WITHOUT loading or running any plugin code
/// (a plugin folder is code: listing it must not run it). The same folders, order, checks and
/// one-line errors as <see cref="PluginCatalog"/> (not .NET, no SDK, another SDK major, no
/// plugin inside, duplicate names); what only running a plugin can reveal (a constructor that
/// throws, a type that fails to load) shows up when it is used.</summary>
public sealed class PluginListing
{
    private readonly List<ListedPlugin> plugins = [];
    private readonly List<PluginLoadError> errors = [];

    private PluginListing() { }

    public IReadOnlyList<ListedPlugin> Plugins => plugins;
    public IReadOnlyList<PluginLoadError> Errors => errors;
    public IReadOnlyList<PluginFolder> Folders { get; private set; } = [];

    /// <summary>The plugins of the given folders (origin "--plugins"), nothing else.</summary>
    public static PluginListing Read(IEnumerable<string> folders) =>
        Read(folders.Select(f => new PluginFolder(Path.GetFullPath(f), PluginFolders.CommandLineOrigin)));

    /// <summary>The built-in folder, the config file, NEURONHOST_PLUGINS and then the given folders.</summary>
    public static PluginListing ReadDefault(IEnumerable<string>? commandLineFolders = null)
    {
        var (folders, folderErrors) = PluginFolders.Resolve(commandLineFolders);
        var listing = Read(folders);
        listing.errors.InsertRange(0, folderErrors);
        return listing;
    }

    public static PluginListing Read(IEnumerable<PluginFolder> folders)
    {
        var listing = new PluginListing();
        var list = folders.ToList();
        listing.Folders = list;
        foreach (var folder in list)
        {
            if (File.Exists(folder.Path))
                listing.ReadAssembly(folder.Path, folder);
            else if (!Directory.Exists(folder.Path))
                listing.Error(folder.Path, $"{folder.Path}: plugins folder does not exist (from {folder.Origin})");
            else
                foreach (var dll in PluginCatalog.CandidateFiles(folder.Path, listing.Error))
                    listing.ReadAssembly(dll, folder);
        }
        return listing;
    }

    /// <summary>The plugin with this name (case-insensitive), or null.</summary>
    public ListedPlugin? Find(string name) =>
        plugins.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The plugin with this name, or a <see cref="PluginException"/> listing the installed ones.</summary>
    public ListedPlugin Get(string name) => Find(name) ?? throw new PluginException(
        plugins.Count == 0
            ? $"unknown plugin '{name}': no plugins are loaded"
            : $"unknown plugin '{name}' (installed: {string.Join(", ", plugins.Select(p => p.Name).Order(StringComparer.Ordinal))})");

    private void Error(string path, string message) => errors.Add(new PluginLoadError(path, message));

    private void ReadAssembly(string dll, PluginFolder source)
    {
        if (PluginAssemblyInspector.Check(dll, out var problem) is null)
        {
            Error(dll, problem!);
            return;
        }
        IReadOnlyList<PluginDeclaration> declarations;
        try { declarations = PluginMetadataReader.Read(dll); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A hostile or corrupt image can fail the metadata or IL readers in many ways; it
            // is one file's problem, never the listing's.
            Error(dll, $"{dll}: its metadata cannot be read: {PluginFolders.OneLine(e.Message)}");
            return;
        }
        if (declarations.Count == 0)
        {
            Error(dll, $"{dll}: not a NeuronHost plugin (no public class implements IRankingMethod, IProbe or IIntervention)");
            return;
        }
        foreach (var declaration in declarations)
        {
            var plugin = new ListedPlugin(declaration, dll, source);
            if (declaration.Name is { } name && (name.Length == 0 || name.Any(char.IsWhiteSpace)))
                Error(dll, $"{dll}: plugin type '{declaration.TypeName}' has the name '{name}'; a plugin name must be non-empty without spaces");
            else if (Find(plugin.Name) is { } existing)
                Error(dll, $"{dll}: plugin '{plugin.Name}' is already loaded from {existing.AssemblyPath}; two plugins have the same name, only the first is used");
            else
                plugins.Add(plugin);
        }
    }
}

using System.Reflection;
using McMaster.NETCore.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Plugins;

/// <summary>The plugins found in a list of folders, each assembly in its own collectible load
/// context (McMaster.NETCore.Plugins' <see cref="PluginLoader"/>, sharing only the SDK), and the one-line errors of those
/// that could not be loaded (the catalog keeps going past every bad plugin).
/// A folder holds plugins as <c>&lt;Name&gt;/&lt;Name&gt;.dll</c> (with its dependencies and
/// deps.json beside it) or as single .dll files; a path may also name one .dll.
/// Dispose unloads the plugin assemblies.</summary>
public sealed class PluginCatalog : IDisposable
{
    private readonly List<LoadedPlugin> plugins = [];
    private readonly List<PluginLoadError> errors = [];
    private readonly List<PluginLoader> loaders = [];

    private PluginCatalog() { }

    public IReadOnlyList<LoadedPlugin> Plugins => plugins;
    public IReadOnlyList<PluginLoadError> Errors => errors;
    public IReadOnlyList<PluginFolder> Folders { get; private set; } = [];

    /// <summary>Loads the plugins of the given folders (origin "--plugins"), nothing else.</summary>
    public static PluginCatalog Load(IEnumerable<string> folders) =>
        Load(folders.Select(f => new PluginFolder(Path.GetFullPath(f), PluginFolders.CommandLineOrigin)));

    /// <summary>The built-in folder, the config file, NEURONHOST_PLUGINS and then
    /// <paramref name="commandLineFolders"/> (see <see cref="PluginFolders.Resolve"/>).</summary>
    public static PluginCatalog LoadDefault(IEnumerable<string>? commandLineFolders = null)
    {
        var (folders, folderErrors) = PluginFolders.Resolve(commandLineFolders);
        var catalog = Load(folders);
        catalog.errors.InsertRange(0, folderErrors);
        return catalog;
    }

    /// <summary>Loads the plugins of the folders in order; when two plugins share a name the
    /// first one wins and the second is reported.</summary>
    public static PluginCatalog Load(IEnumerable<PluginFolder> folders)
    {
        var catalog = new PluginCatalog();
        var list = folders.ToList();
        catalog.Folders = list;
        foreach (var folder in list)
        {
            if (File.Exists(folder.Path))
                catalog.LoadAssembly(folder.Path, folder);
            else if (!Directory.Exists(folder.Path))
                catalog.Error(folder.Path, $"{folder.Path}: plugins folder does not exist (from {folder.Origin})");
            else
                foreach (var dll in CandidateFiles(folder.Path, catalog.Error))
                    catalog.LoadAssembly(dll, folder);
        }
        return catalog;
    }

    /// <summary>The plugin with this name (case-insensitive), or null.</summary>
    public LoadedPlugin? Find(string name) =>
        plugins.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The plugin with this name, or a <see cref="PluginException"/> that lists the
    /// installed ones.</summary>
    public LoadedPlugin Get(string name) => Find(name) ?? throw new PluginException(
        plugins.Count == 0
            ? $"unknown plugin '{name}': no plugins are loaded"
            : $"unknown plugin '{name}' (installed: {string.Join(", ", plugins.Select(p => p.Name).Order(StringComparer.Ordinal))})");

    /// <summary>A new instance of the named plugin with the given parameter values set (by
    /// kebab-case name; the others keep their defaults). Throws <see cref="PluginException"/> for
    /// an unknown plugin, a plugin of another kind, a bad value or a constructor that throws.</summary>
    public T Create<T>(string name, IReadOnlyDictionary<string, string>? parameterValues = null) where T : class, IPlugin
    {
        var plugin = Get(name);
        if (!typeof(T).IsAssignableFrom(plugin.Type))
            throw new PluginException($"plugin '{plugin.Name}' is a {plugin.KindName} plugin, not {Describe(typeof(T))}");
        object instance;
        try
        {
            instance = Activator.CreateInstance(plugin.Type)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new PluginException($"plugin '{plugin.Name}' ({plugin.AssemblyPath}): constructor threw {e.InnerException.GetType().Name}: {PluginFolders.OneLine(e.InnerException.Message)}", e.InnerException);
        }
        PluginParameters.Apply(plugin.Name, instance, plugin.Parameters, parameterValues);
        return (T)instance;
    }

    public void Dispose()
    {
        plugins.Clear();
        foreach (var loader in loaders) loader.Dispose(); // unloads its context
        loaders.Clear();
    }

    private static string Describe(Type t) =>
        t == typeof(IRankingMethod) ? "a ranking method" :
        t == typeof(IProbe) ? "a probe" :
        t == typeof(IIntervention) ? "an intervention" : $"a {t.Name}";

    /// <summary>The .dll files directly inside (only those with a .deps.json when there are any),
    /// and for each subfolder X: X/X.dll, or (when there is none) the .dll files that have a
    /// .deps.json (the main assemblies of build outputs).</summary>
    internal static IEnumerable<string> CandidateFiles(string folder, Action<string, string> error)
    {
        var result = new List<string>();
        // A build output given directly (bin/Release/net10.0): only its main assemblies, not
        // the dependencies beside them.
        var mainAssemblies = MainAssemblies(folder);
        if (mainAssemblies.Count > 0) result.AddRange(mainAssemblies);
        else
            foreach (var dll in Directory.EnumerateFiles(folder, "*.dll").Order(StringComparer.Ordinal))
                if (!IsSdkCopy(dll)) result.Add(dll);
        foreach (var sub in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            var named = Path.Combine(sub, Path.GetFileName(sub) + ".dll");
            if (File.Exists(named)) { result.Add(named); continue; }
            var withDeps = MainAssemblies(sub);
            if (withDeps.Count > 0) result.AddRange(withDeps);
            else if (Directory.EnumerateFiles(sub, "*.dll").Any())
                error(sub, $"{sub}: no plugin found: expected {Path.GetFileName(sub)}.dll (or a build output with a .deps.json) in it");
        }
        return result;
    }

    /// <summary>The .dll files of a folder that have a .deps.json beside them.</summary>
    private static List<string> MainAssemblies(string folder) =>
        Directory.EnumerateFiles(folder, "*.deps.json")
            .Select(d => d[..^".deps.json".Length] + ".dll")
            .Where(File.Exists).Where(d => !IsSdkCopy(d)).Order(StringComparer.Ordinal).ToList();

    private static bool IsSdkCopy(string dll) =>
        Path.GetFileName(dll).Equals(PluginAssemblyInspector.SdkAssemblyName + ".dll", StringComparison.OrdinalIgnoreCase);

    private void Error(string path, string message) => errors.Add(new PluginLoadError(path, message));

    private void LoadAssembly(string dll, PluginFolder source)
    {
        var metadata = PluginAssemblyInspector.Check(dll, out var problem);
        if (metadata is null)
        {
            Error(dll, problem!);
            return;
        }

        PluginLoader? loader = null;
        Assembly assembly;
        try
        {
            loader = PluginLoader.CreateFromAssemblyFile(dll, isUnloadable: true, sharedTypes: [typeof(IPlugin)]);
            assembly = loader.LoadDefaultAssembly();
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or InvalidOperationException or IOException)
        {
            loader?.Dispose();
            Error(dll, $"{dll}: cannot be loaded: {PluginFolders.OneLine(e.Message)}");
            return;
        }

        int before = plugins.Count, errorsBefore = errors.Count;
        foreach (var typeName in metadata.PublicClasses)
        {
            Type? type;
            try
            {
                type = assembly.GetType(typeName, throwOnError: true);
            }
            catch (Exception e)
            {
                Error(dll, $"{dll}: type '{typeName}' failed to load: {LoadFailure(e)}");
                continue;
            }
            if (type is null || !type.IsClass || type.IsAbstract || type.ContainsGenericParameters) continue;
            bool isPlugin;
            try { isPlugin = typeof(IPlugin).IsAssignableFrom(type); }
            catch (Exception e)
            {
                Error(dll, $"{dll}: type '{typeName}' failed to load: {LoadFailure(e)}");
                continue;
            }
            if (isPlugin) AddPlugin(type, dll, source);
        }

        if (plugins.Count == before)
        {
            if (errors.Count == errorsBefore)
                Error(dll, $"{dll}: not a NeuronHost plugin (no public class implements IRankingMethod, IProbe or IIntervention)");
            loader.Dispose(); // nothing of it is used
        }
        else loaders.Add(loader);
    }

    private void AddPlugin(Type type, string dll, PluginFolder source)
    {
        var kinds = new List<PluginKind>();
        if (typeof(IRankingMethod).IsAssignableFrom(type)) kinds.Add(PluginKind.Ranking);
        if (typeof(IProbe).IsAssignableFrom(type)) kinds.Add(PluginKind.Probe);
        if (typeof(IIntervention).IsAssignableFrom(type)) kinds.Add(PluginKind.Intervention);
        if (kinds.Count == 0)
        {
            Error(dll, $"{dll}: type '{type.FullName}' implements IPlugin but none of IRankingMethod, IProbe, IIntervention");
            return;
        }
        if (type.GetConstructor(Type.EmptyTypes) is not { IsPublic: true })
        {
            Error(dll, $"{dll}: plugin type '{type.FullName}' needs a public parameterless constructor");
            return;
        }

        object instance;
        PluginInfo? info;
        try
        {
            instance = Activator.CreateInstance(type)!;
        }
        catch (Exception e)
        {
            var inner = e is TargetInvocationException { InnerException: { } i } ? i : e;
            Error(dll, $"{dll}: plugin type '{type.FullName}' constructor threw {inner.GetType().Name}: {PluginFolders.OneLine(inner.Message)}");
            return;
        }
        try
        {
            info = ((IPlugin)instance).Info;
        }
        catch (Exception e)
        {
            Error(dll, $"{dll}: plugin type '{type.FullName}': its Info threw {e.GetType().Name}: {PluginFolders.OneLine(e.Message)}");
            return;
        }
        if (info is null)
        {
            Error(dll, $"{dll}: plugin type '{type.FullName}' has no Info (null)");
            return;
        }

        if (string.IsNullOrWhiteSpace(info.Name) || info.Name.Any(char.IsWhiteSpace))
        {
            Error(dll, $"{dll}: plugin type '{type.FullName}' has the name '{info.Name}'; a plugin name must be non-empty without spaces");
            return;
        }
        if (!kinds.Contains(info.Kind))
        {
            Error(dll, $"{dll}: plugin '{info.Name}' says it is a {LoadedPlugin.KindToText(info.Kind)} plugin but implements {string.Join(", ", kinds.Select(LoadedPlugin.KindToText))}");
            return;
        }
        if (Find(info.Name) is { } existing)
        {
            Error(dll, $"{dll}: plugin '{info.Name}' is already loaded from {existing.AssemblyPath}; two plugins have the same name, only the first is used");
            return;
        }

        IReadOnlyList<PluginParameter> parameters;
        try { parameters = PluginParameters.Describe(type, instance, info.Name); }
        catch (PluginException e)
        {
            Error(dll, $"{dll}: {e.Message}");
            return;
        }
        catch (Exception e)
        {
            Error(dll, $"{dll}: plugin '{info.Name}': reading its parameters threw {e.GetType().Name}: {PluginFolders.OneLine(e.Message)}");
            return;
        }
        plugins.Add(new LoadedPlugin(info, type, dll, source, parameters));
    }

    /// <summary>The root cause of a type load failure, on one line.</summary>
    private static string LoadFailure(Exception e)
    {
        while (e is TargetInvocationException or TypeInitializationException && e.InnerException is not null) e = e.InnerException!;
        if (e is ReflectionTypeLoadException rtle && rtle.LoaderExceptions.FirstOrDefault(x => x is not null) is { } first) e = first;
        return PluginFolders.OneLine(e.Message);
    }
}

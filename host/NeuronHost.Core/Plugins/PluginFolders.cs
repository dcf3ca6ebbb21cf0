using System.Text.Json;

namespace NeuronHost.Core.Plugins;

/// <summary>Where plugins come from, in this order (the first plugin with a name wins):
/// the built-in folder next to the executable (<c>AppContext.BaseDirectory/plugins</c>), the
/// config file's <c>"pluginFolders"</c>, the <c>NEURONHOST_PLUGINS</c> environment variable
/// (a path-separated list), and <c>--plugins DIR</c> options.</summary>
public static class PluginFolders
{
    public const string EnvironmentVariable = "NEURONHOST_PLUGINS";
    public const string ConfigEnvironmentVariable = "NEURONHOST_CONFIG";
    public const string CommandLineOrigin = "--plugins";

    /// <summary>The plugins folder next to the executable.</summary>
    public static string BuiltInFolder => Path.Combine(AppContext.BaseDirectory, "plugins");

    /// <summary><c>NEURONHOST_CONFIG</c>, else <c>$XDG_CONFIG_HOME/neuronhost/config.json</c>,
    /// else <c>~/.config/neuronhost/config.json</c>.</summary>
    public static string ConfigFile => ConfigFileFrom(Environment.GetEnvironmentVariable);

    private static string ConfigFileFrom(Func<string, string?> environment)
    {
        if (environment(ConfigEnvironmentVariable) is { Length: > 0 } explicitPath)
            return Path.GetFullPath(explicitPath);
        var configHome = environment("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(configHome))
            configHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(configHome, "neuronhost", "config.json");
    }

    /// <summary>Every folder the host should search, with the problems found on the way
    /// (a config file that is not valid JSON, an entry that is not a path). Folders that do not
    /// exist are reported when the catalog loads them. <paramref name="environment"/> replaces
    /// the process environment (tests).</summary>
    public static (IReadOnlyList<PluginFolder> Folders, IReadOnlyList<PluginLoadError> Errors) Resolve(
        IEnumerable<string>? commandLineFolders, bool includeBuiltIn = true, bool includeUserSettings = true,
        Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var folders = new List<PluginFolder>();
        var errors = new List<PluginLoadError>();
        if (includeBuiltIn && Directory.Exists(BuiltInFolder))
            folders.Add(new PluginFolder(BuiltInFolder, PluginFolder.BuiltInOrigin));
        if (includeUserSettings)
        {
            var config = ConfigFileFrom(environment);
            if (File.Exists(config))
                foreach (var folder in ReadConfig(config, errors))
                    folders.Add(new PluginFolder(folder, $"config {config}"));
            if (environment(EnvironmentVariable) is { Length: > 0 } list)
                foreach (var folder in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    folders.Add(new PluginFolder(Path.GetFullPath(folder), EnvironmentVariable));
        }
        foreach (var folder in commandLineFolders ?? [])
            folders.Add(new PluginFolder(Path.GetFullPath(folder), CommandLineOrigin));
        return (Deduplicate(folders), errors);
    }

    /// <summary>The folders of <c>{"pluginFolders": [...]}</c>; relative ones are relative to the
    /// config file's folder.</summary>
    internal static IEnumerable<string> ReadConfig(string configFile, List<PluginLoadError> errors)
    {
        var result = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(configFile),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new PluginLoadError(configFile, $"{configFile}: expected a JSON object like {{\"pluginFolders\": [\"/path\"]}}"));
                return result;
            }
            if (!doc.RootElement.TryGetProperty("pluginFolders", out var list)) return result;
            if (list.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new PluginLoadError(configFile, $"{configFile}: \"pluginFolders\" must be an array of folder paths"));
                return result;
            }
            var baseDir = Path.GetDirectoryName(configFile)!;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } folder)
                    result.Add(Path.GetFullPath(ExpandHome(folder), baseDir));
                else
                    errors.Add(new PluginLoadError(configFile, $"{configFile}: \"pluginFolders\" entry {item.GetRawText()} is not a folder path"));
            }
        }
        catch (JsonException e)
        {
            errors.Add(new PluginLoadError(configFile, $"{configFile}: not valid JSON (line {e.LineNumber + 1}): {OneLine(e.Message)}"));
        }
        catch (IOException e)
        {
            errors.Add(new PluginLoadError(configFile, $"{configFile}: cannot be read: {e.Message}"));
        }
        return result;
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]
            : path;

    private static List<PluginFolder> Deduplicate(List<PluginFolder> folders)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<PluginFolder>();
        foreach (var f in folders)
            if (seen.Add(Path.TrimEndingDirectorySeparator(f.Path))) result.Add(f);
        return result;
    }

    internal static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
